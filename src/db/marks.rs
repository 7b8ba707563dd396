//! What one member has done to the posts and comments a page shows: their votes, the posts they
//! saved and the topics they watch, read in one statement however many posts and comments the
//! page holds (a topic page had four: votes on posts, votes on comments, bookmarks, watches).
use std::collections::{HashMap, HashSet};

use sqlx::Row;

use super::{placeholders, Db, DbError};

/// A member's marks on a page's posts and comments.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Marks {
    /// Post id -> the member's vote on it (1 or -1).
    pub post_votes: HashMap<i64, i64>,
    /// Comment id -> the member's vote on it (1).
    pub comment_votes: HashMap<i64, i64>,
    /// Posts the member bookmarked.
    pub saved: HashSet<i64>,
    /// Topics the member watches.
    pub watched: HashSet<i64>,
}

/// The statement for `posts` posts and `comments` comments: `$1` is the member, `$2..` the post
/// ids, then the comment ids. Each post id is bound once and read by three of the branches.
fn sql(posts: usize, comments: usize) -> String {
    let post_list = placeholders(2, posts);
    let mut branches = Vec::new();
    if posts > 0 {
        branches.push(format!(
            "SELECT 'post_vote' AS mark, target_id, value FROM votes WHERE user_id = $1 \
             AND target_kind IN ('question', 'answer', 'article') AND target_id IN ({post_list})"
        ));
        branches.push(format!(
            "SELECT 'saved' AS mark, target_id, 1 AS value FROM bookmarks WHERE user_id = $1 \
             AND target_kind = 'post' AND target_id IN ({post_list})"
        ));
        branches.push(format!(
            "SELECT 'watched' AS mark, target_id, 1 AS value FROM follows WHERE user_id = $1 \
             AND target_kind = 'post' AND level = 'watch' AND target_id IN ({post_list})"
        ));
    }
    if comments > 0 {
        branches.push(format!(
            "SELECT 'comment_vote' AS mark, target_id, value FROM votes WHERE user_id = $1 \
             AND target_kind = 'comment' AND target_id IN ({})",
            placeholders(2 + posts, comments)
        ));
    }
    branches.join(" UNION ALL ")
}

/// `user_id`'s votes, bookmarks and watches on `post_ids` and votes on `comment_ids`.
pub async fn on_page(
    db: &Db,
    user_id: i64,
    post_ids: &[i64],
    comment_ids: &[i64],
) -> Result<Marks, DbError> {
    let mut marks = Marks::default();
    if post_ids.is_empty() && comment_ids.is_empty() {
        return Ok(marks);
    }
    let sql = sql(post_ids.len(), comment_ids.len());
    let mut query = sqlx::query(&sql).bind(user_id);
    for id in post_ids.iter().chain(comment_ids) {
        query = query.bind(*id);
    }
    for row in query.fetch_all(db.reader()).await? {
        let mark: String = row.try_get("mark")?;
        let id: i64 = row.try_get("target_id")?;
        let value: i64 = row.try_get("value")?;
        match mark.as_str() {
            "post_vote" => {
                marks.post_votes.insert(id, value);
            }
            "comment_vote" => {
                marks.comment_votes.insert(id, value);
            }
            "saved" => {
                marks.saved.insert(id);
            }
            _ => {
                marks.watched.insert(id);
            }
        }
    }
    Ok(marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_id_is_bound_once_and_every_branch_reads_its_own() {
        let both = sql(2, 3);
        assert_eq!(both.matches("UNION ALL").count(), 3);
        assert_eq!(both.matches("IN ($2, $3)").count(), 3, "{both}");
        assert!(both.contains("target_kind = 'comment' AND target_id IN ($4, $5, $6)"));
        assert!(!both.contains("$7"));
    }

    #[test]
    fn a_page_without_comments_asks_only_of_posts() {
        let posts_only = sql(1, 0);
        assert_eq!(posts_only.matches("UNION ALL").count(), 2);
        assert!(!posts_only.contains("'comment'"));
        assert!(!sql(0, 2).contains("bookmarks"));
    }
}
