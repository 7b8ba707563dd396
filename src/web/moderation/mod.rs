//! Moderation: members flag posts, comments and users (`POST /flags`); staff work through the queue
//! (`/admin/queue`, `/admin/flags`), act on posts and comments, silence members and delete spammers.
//! Queries live in `db::flags` and `db::moderation`; this module holds the routes and what its pages
//! and the write paths of other features share (the hide threshold, the silence check).
pub mod accounts;
pub mod flags;
pub mod queue;
pub mod rules;

use actix_web::web;

use crate::auth::CurrentUser;
use crate::db;
use crate::db::flags::HideThreshold;
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::web::state::AppState;

/// Site settings (`db::settings`) that tune flagging, with their defaults.
pub const FLAG_HIDE_THRESHOLD: &str = "flag_hide_threshold";
pub const FLAG_TRUSTED_REPUTATION: &str = "flag_trusted_reputation";
pub const DEFAULT_HIDE_THRESHOLD: i64 = 3;
pub const DEFAULT_TRUSTED_REPUTATION: i64 = 15;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/flags", web::post().to(flags::create))
        .route("/admin/queue", web::get().to(queue::show_queue))
        .route("/admin/flags", web::get().to(queue::show_flags))
        .route("/admin/posts/{id}", web::get().to(queue::show_post))
        .route(
            "/admin/posts/{id}/{action}",
            web::post().to(queue::act_on_post),
        )
        .route(
            "/admin/comments/{id}/{action}",
            web::post().to(queue::act_on_comment),
        )
        .route(
            "/admin/users/{id}/spammer",
            web::post().to(accounts::delete_spammer),
        )
        .route(
            "/admin/users/{id}/restore_content",
            web::post().to(accounts::restore_spammer),
        )
        .route(
            "/admin/users/{id}/silence",
            web::post().to(accounts::silence),
        )
        .route(
            "/admin/users/{id}/unsilence",
            web::post().to(accounts::unsilence),
        )
        .route(
            "/admin/users/{id}/dismiss_flags",
            web::post().to(accounts::dismiss_flags),
        )
        .route("/admin/users/{id}/trust", web::post().to(rules::set_trust))
        .route("/admin/rules", web::get().to(rules::show))
        .route("/admin/rules", web::post().to(rules::create))
        .route("/admin/rules/trust", web::post().to(rules::save_thresholds))
        .route("/admin/rules/{id}", web::get().to(rules::edit_form))
        .route("/admin/rules/{id}", web::post().to(rules::update))
        .route("/admin/rules/{id}/{action}", web::post().to(rules::act));
}

/// The flag threshold settings as stored, or their defaults.
pub async fn hide_threshold(state: &AppState) -> Result<HideThreshold, AppError> {
    let read = |key, default: i64| async move {
        Ok::<_, AppError>(
            db::settings::get(&state.db, key)
                .await?
                .and_then(|v| v.trim().parse::<i64>().ok())
                .unwrap_or(default),
        )
    };
    Ok(HideThreshold {
        count: read(FLAG_HIDE_THRESHOLD, DEFAULT_HIDE_THRESHOLD).await?,
        trusted_reputation: read(FLAG_TRUSTED_REPUTATION, DEFAULT_TRUSTED_REPUTATION).await?,
    })
}

/// Why `user` may not write right now (silenced until a time), as a sentence; `None` if they may.
/// Every write path (posts, answers, comments, votes, flags) asks this first.
pub async fn silenced_message(
    state: &AppState,
    user: &CurrentUser,
    t: &Catalog,
) -> Result<Option<String>, AppError> {
    let until = db::moderation::silenced_until(&state.db, user.id).await?;
    Ok(until.map(|until| {
        t.fill(
            "moderation.silenced",
            &[("until", &crate::web::posts::format_time(until))],
        )
    }))
}

/// [`silenced_message`] as an error, for write paths with no form to show again.
pub async fn refuse_if_silenced(
    state: &AppState,
    user: &CurrentUser,
    t: &Catalog,
) -> Result<(), AppError> {
    match silenced_message(state, user, t).await? {
        Some(message) => Err(AppError::Closed(message)),
        None => Ok(()),
    }
}
