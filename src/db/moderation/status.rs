//! Status changes that keep their counts right (tag counts, a question's answer count, a post's
//! comment count), inside the caller's transaction. Shared by staff actions (`db::moderation`) and
//! flags that hide content (`db::flags`), so neither imports the other for them.
use super::super::{now, DbError, Tx};

/// Sets a post's status and keeps what depends on it right: tag counts and, for an answer, its
/// question's answer count.
pub async fn set_post_status_in(tx: &mut Tx, post_id: i64, status: &str) -> Result<(), DbError> {
    let parent: Option<i64> =
        sqlx::query_scalar("UPDATE posts SET status = $1 WHERE id = $2 RETURNING parent_id")
            .bind(status)
            .bind(post_id)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
    super::super::posts::tags::recount_for_post(tx, post_id).await?;
    if let Some(question) = parent {
        super::super::posts::refresh_answer_count(tx, question, now()).await?;
    }
    Ok(())
}

/// Sets a comment's status and recounts its post's published comments.
pub async fn set_comment_status_in(
    tx: &mut Tx,
    comment_id: i64,
    status: &str,
) -> Result<(), DbError> {
    let post_id: Option<i64> =
        sqlx::query_scalar("UPDATE comments SET status = $1 WHERE id = $2 RETURNING post_id")
            .bind(status)
            .bind(comment_id)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(post_id) = post_id {
        sqlx::query(
            "UPDATE posts SET comment_count = (SELECT COUNT(*) FROM comments c \
             WHERE c.post_id = $1 AND c.status = 'published') WHERE id = $1",
        )
        .bind(post_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
