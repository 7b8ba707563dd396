//! Moderation: flags and the hide threshold, the moderation queue, staff actions on posts, comments
//! and accounts (each logged and told to the author), closed questions, locked comments, silenced
//! members and who may open the new admin routes. Members each have their own browser; roles and
//! reputation are set in the database to reach thresholds quickly.
mod access;
mod accounts;
mod actions;
mod flags;

use crate::helpers::{spawn_app_with, TestApp};

pub use crate::member::{id_after, Member};

pub async fn app() -> TestApp {
    spawn_app_with(&[("AGORA_REGISTRATIONS_PER_IP", "1000")]).await
}

pub async fn post_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM posts WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("post status")
}

pub async fn comment_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM comments WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("comment status")
}

/// How many audit rows name this action on this target.
pub async fn audit_rows(app: &TestApp, action: &str, kind: &str, id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM mod_actions WHERE action = $1 AND target_kind = $2 AND target_id = $3",
    )
    .bind(action)
    .bind(kind)
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("audit rows")
}

/// Moderation notifications the user has received.
pub async fn moderation_notices(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'moderation'",
    )
    .bind(user_id)
    .fetch_one(app.db.reader())
    .await
    .expect("notifications")
}
