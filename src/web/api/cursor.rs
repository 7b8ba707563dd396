//! Cursor pagination for every API list: a page ends with `next_cursor`, an opaque string that
//! names the last item shown (its sort key and id); the next page starts after it (keyset, never an
//! OFFSET). Clients pass it back unchanged and must not read anything into it.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::i18n::Catalog;
use crate::web::problem::Problem;

/// Items per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: i64 = 20;
/// The most items one page holds.
pub const MAX_LIMIT: i64 = 100;

/// Where a list continues: after the item with this sort key and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub key: i64,
    pub id: i64,
}

impl Position {
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("v1:{}:{}", self.key, self.id))
    }

    pub fn decode(text: &str) -> Option<Position> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.split(':');
        if parts.next()? != "v1" {
            return None;
        }
        let key = parts.next()?.parse().ok()?;
        let id = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some(Position { key, id })
    }
}

/// `?cursor=&limit=` of every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next_cursor` of the page before; absent for the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<i64>,
}

impl PageParams {
    /// The position to start after and the page size, or a 422 naming the bad parameter.
    pub fn read(&self, t: &Catalog) -> Result<(Option<Position>, i64), Problem> {
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(text) => Some(
                Position::decode(text)
                    .ok_or_else(|| Problem::invalid("cursor", t.get("api.bad_cursor")))?,
            ),
            None => None,
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Problem::invalid(
                "limit",
                t.fill("api.bad_limit", &[("max", &MAX_LIMIT.to_string())]),
            ));
        }
        Ok((after, limit))
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    pub fn new(items: Vec<T>, next: Option<Position>) -> Self {
        Paged {
            items,
            next_cursor: next.map(Position::encode),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let p = Position { key: -5, id: 42 };
        assert_eq!(Position::decode(&p.encode()), Some(p));
        assert_eq!(Position::decode("5:42"), None);
        assert_eq!(Position::decode(&URL_SAFE_NO_PAD.encode("v2:1:2")), None);
        assert_eq!(Position::decode(&URL_SAFE_NO_PAD.encode("v1:1:2:3")), None);
    }
}
