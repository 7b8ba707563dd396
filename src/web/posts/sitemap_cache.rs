//! Rendered sitemap parts kept in memory, each with the change count (`sitemap_stamps`) it was
//! rendered at: a part is read and rendered again only after an article or question in its id range
//! changed, so serving a part costs two primary-key reads instead of ~49,000 rows and ~1.5 MB of
//! XML per request. Every instance keeps its own copies and checks the shared counter, so a change
//! written through any instance is seen by all.
use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;

/// Parts kept at most (a part is at most ~50,000 URLs, about 1.5 MB): past it the copy used
/// longest ago is dropped, so a crawler walking a forum of 60 parts costs at most this much memory.
pub const KEPT_PARTS: usize = 32;

/// One rendered part.
#[derive(Clone)]
pub struct RenderedPart {
    /// The part's change count when it was rendered.
    pub changes: i64,
    pub body: Bytes,
    pub etag: String,
    pub newest: Option<i64>,
}

#[derive(Default)]
pub struct SitemapCache {
    /// By (part, origin): the addresses in a part are absolute, so each origin has its own copy.
    parts: Mutex<HashMap<(i64, String), (RenderedPart, u64)>>,
    uses: std::sync::atomic::AtomicU64,
}

impl SitemapCache {
    /// The copy of `part` for `origin` rendered at `changes`, if one is kept.
    pub fn get(&self, part: i64, origin: &str, changes: i64) -> Option<RenderedPart> {
        let tick = self.tick();
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        let (found, used) = parts.get_mut(&(part, origin.to_string()))?;
        if found.changes != changes {
            return None;
        }
        *used = tick;
        Some(found.clone())
    }

    /// Keeps `rendered` as the copy of `part` for `origin`, dropping the least recently used copy
    /// when [`KEPT_PARTS`] are kept already.
    pub fn put(&self, part: i64, origin: &str, rendered: RenderedPart) {
        let tick = self.tick();
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        let key = (part, origin.to_string());
        if !parts.contains_key(&key) && parts.len() >= KEPT_PARTS {
            if let Some(oldest) = parts
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| key.clone())
            {
                parts.remove(&oldest);
            }
        }
        parts.insert(key, (rendered, tick));
    }

    fn tick(&self) -> u64 {
        self.uses.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(changes: i64) -> RenderedPart {
        RenderedPart {
            changes,
            body: Bytes::from_static(b"<urlset/>"),
            etag: "W/\"1\"".into(),
            newest: None,
        }
    }

    #[test]
    fn a_copy_is_served_only_at_the_count_it_was_rendered_at() {
        let cache = SitemapCache::default();
        cache.put(1, "http://a", part(3));
        assert!(cache.get(1, "http://a", 3).is_some());
        assert!(cache.get(1, "http://a", 4).is_none());
        assert!(cache.get(1, "http://b", 3).is_none());
        assert!(cache.get(2, "http://a", 3).is_none());
    }

    #[test]
    fn past_the_limit_the_copy_used_longest_ago_goes() {
        let cache = SitemapCache::default();
        for n in 0..KEPT_PARTS as i64 {
            cache.put(n, "o", part(0));
        }
        assert!(cache.get(0, "o", 0).is_some());
        cache.put(1000, "o", part(0));
        assert!(cache.get(0, "o", 0).is_some(), "recently used stays");
        assert!(cache.get(1, "o", 0).is_none(), "least recently used went");
        assert!(cache.get(1000, "o", 0).is_some());
    }
}
