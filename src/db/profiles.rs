//! Queries behind a member's profile page: the bio and the posts they wrote.
use sqlx::Row;

use super::plans::{Arg, ListQuery};
use super::{Db, DbError};

/// The stored bio: the Markdown the owner typed and the HTML rendered from it when saved.
#[derive(Debug, Clone, Default)]
pub struct Bio {
    pub markdown: String,
    pub html: String,
}

pub async fn bio(db: &Db, user_id: i64) -> Result<Bio, DbError> {
    let row = sqlx::query("SELECT bio_md, bio_html FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| {
        Ok(Bio {
            markdown: r.try_get("bio_md")?,
            html: r.try_get("bio_html")?,
        })
    })
    .transpose()
    .map(Option::unwrap_or_default)
}

pub async fn set_bio(db: &Db, user_id: i64, bio_md: &str, bio_html: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET bio_md = $1, bio_html = $2 WHERE id = $3")
        .bind(bio_md)
        .bind(bio_html)
        .bind(user_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// One of a member's posts in a profile list.
#[derive(Debug, Clone)]
pub struct AuthoredPost {
    pub id: i64,
    /// `article`, `question`, `answer` or `bot_answer`.
    pub kind: String,
    /// The question an answer belongs to.
    pub parent_id: Option<i64>,
    /// The post's title, or its question's title for answers.
    pub title: String,
    pub status: String,
    pub score: i64,
    pub created_at: i64,
}

/// The statement behind [`posts_by`], read from `posts_by_author_new` newest first.
pub fn posts_by_query(author_id: i64, include_unpublished: bool, limit: i64) -> ListQuery {
    ListQuery::new(
        "profile posts",
        "SELECT p.id, p.kind, p.parent_id, COALESCE(NULLIF(p.title, ''), q.title, '') AS title, \
                p.status, p.score, p.created_at \
         FROM posts p LEFT JOIN posts q ON q.id = p.parent_id \
         WHERE p.author_id = $1 AND (p.status = 'published' OR ($2 = 1 AND p.status <> 'deleted')) \
         ORDER BY p.created_at DESC, p.id DESC LIMIT $3",
        vec![
            Arg::Int(author_id),
            Arg::Int(i64::from(include_unpublished)),
            Arg::Int(limit),
        ],
    )
    .served_by(&["posts_by_author_new"])
}

/// A member's newest posts of every kind. Others see published posts only; the owner
/// (`include_unpublished`) also sees drafts and posts waiting for review, never deleted ones.
pub async fn posts_by(
    db: &Db,
    author_id: i64,
    include_unpublished: bool,
    limit: i64,
) -> Result<Vec<AuthoredPost>, DbError> {
    let rows = posts_by_query(author_id, include_unpublished, limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AuthoredPost {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                parent_id: r.try_get("parent_id")?,
                title: r.try_get("title")?,
                status: r.try_get("status")?,
                score: r.try_get("score")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}
