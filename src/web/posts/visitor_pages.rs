//! Topic pages kept for visitors. A visitor without a session, a CSRF cookie or a message waiting
//! sees the same page as every other such visitor, so the rendered page is kept and served again
//! while it is current: the topic's own row (read fresh on every request, with its visibility)
//! still has the stamp the copy was made at — a new or accepted answer, an edit, a vote on the
//! question or a change of status moves it — and the copy is at most [`KEPT_FOR`] old, so votes
//! and comments on answers, a closed notice or an accepted summary reach visitors within that.
//! Members' pages are always rendered. A hot topic then costs a visitor the topic's row and tags
//! instead of nine statements, thirty answers and a template. Each instance keeps its own copies.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::db::posts::PostRecord;

/// How long a copy is served at most.
pub const KEPT_FOR: Duration = Duration::from_secs(5);
/// Bytes of copies kept at most; past it the expired ones go, then all.
pub const KEPT_BYTES: usize = 32 << 20;
/// A page larger than this is not kept.
pub const LARGEST_KEPT: usize = 2 << 20;

struct Copy {
    stamp: String,
    made: Instant,
    body: Bytes,
}

#[derive(Default)]
struct Kept {
    pages: HashMap<String, Copy>,
    bytes: usize,
}

#[derive(Default)]
pub struct VisitorPages {
    kept: Mutex<Kept>,
}

/// What of a topic's row a kept page must still match: everything its page shows that a write
/// to the topic or its answers changes on that row (the view count aside).
pub fn stamp(topic: &PostRecord) -> String {
    format!(
        "{}:{}:{}:{}:{:?}:{}:{:?}:{:?}:{}:{}",
        topic.last_activity_at,
        topic.answer_count,
        topic.comment_count,
        topic.score,
        topic.status,
        topic.revision_count,
        topic.edited_at,
        topic.accepted_answer_id,
        topic.tags.join(","),
        topic.title,
    )
}

impl VisitorPages {
    /// The copy kept under `key`, if it was made at `stamp` and is still fresh.
    pub fn get(&self, key: &str, stamp: &str) -> Option<Bytes> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.pages
            .get(key)
            .filter(|c| c.stamp == stamp && c.made.elapsed() < KEPT_FOR)
            .map(|c| c.body.clone())
    }

    /// Keeps `body` under `key` as made at `stamp`.
    pub fn put(&self, key: String, stamp: String, body: Bytes) {
        if body.len() > LARGEST_KEPT {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = kept.pages.remove(&key) {
            kept.bytes -= old.body.len();
        }
        if kept.bytes + body.len() > KEPT_BYTES {
            kept.pages.retain(|_, c| c.made.elapsed() < KEPT_FOR);
            kept.bytes = kept.pages.values().map(|c| c.body.len()).sum();
            if kept.bytes + body.len() > KEPT_BYTES {
                kept.pages.clear();
                kept.bytes = 0;
            }
        }
        kept.bytes += body.len();
        kept.pages.insert(
            key,
            Copy {
                stamp,
                made: Instant::now(),
                body,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_served_only_at_its_stamp_and_while_fresh() {
        let pages = VisitorPages::default();
        pages.put("k".into(), "s1".into(), Bytes::from_static(b"<p>1</p>"));
        assert_eq!(pages.get("k", "s1").as_deref(), Some(&b"<p>1</p>"[..]));
        assert!(pages.get("k", "s2").is_none(), "the topic changed");
        assert!(pages.get("other", "s1").is_none());
        let mut kept = pages.kept.lock().expect("lock");
        if let Some(copy) = kept.pages.get_mut("k") {
            copy.made = Instant::now() - KEPT_FOR;
        }
        drop(kept);
        assert!(pages.get("k", "s1").is_none(), "too old");
    }

    #[test]
    fn kept_bytes_stay_under_the_limit() {
        let pages = VisitorPages::default();
        let page = Bytes::from(vec![b'x'; LARGEST_KEPT]);
        for i in 0..(KEPT_BYTES / LARGEST_KEPT + 5) {
            pages.put(format!("k{i}"), "s".into(), page.clone());
        }
        let kept = pages.kept.lock().expect("lock");
        assert!(kept.bytes <= KEPT_BYTES);
        assert_eq!(
            kept.bytes,
            kept.pages.values().map(|c| c.body.len()).sum::<usize>()
        );
        drop(kept);
        pages.put(
            "big".into(),
            "s".into(),
            Bytes::from(vec![b'x'; LARGEST_KEPT + 1]),
        );
        assert!(pages.get("big", "s").is_none(), "too large to keep");
    }
}
