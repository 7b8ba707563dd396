//! The social side: votes, comments, notifications and member profiles. Post pages include the
//! `templates/social/` partials (vote widget, comment thread) built by [`votes::widgets`] and
//! [`comments::threads`]; see `templates/social/README.md`.
pub mod comments;
pub mod notifications;
pub mod profiles;
pub mod votes;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/votes", web::post().to(votes::cast))
        .route("/comments", web::post().to(comments::create))
        .route("/comments/{id}/edit", web::get().to(comments::edit_form))
        .route("/comments/{id}/edit", web::post().to(comments::edit))
        .route("/comments/{id}/delete", web::post().to(comments::delete))
        .route("/notifications", web::get().to(notifications::list))
        .route(
            "/notifications/read",
            web::post().to(notifications::mark_read),
        )
        .route("/u/{username}", web::get().to(profiles::show))
        .route("/u/{username}/bio", web::post().to(profiles::update_bio));
}

/// Where a post lives: articles and questions have their own pages, answers are anchors on their
/// question's page.
pub fn post_path(kind: &str, id: i64, parent_id: Option<i64>) -> String {
    match (kind, parent_id) {
        ("article", _) => format!("/articles/{id}"),
        ("answer" | "bot_answer", Some(parent)) => format!("/questions/{parent}#answer-{id}"),
        _ => format!("/questions/{id}"),
    }
}

/// The profile address of `username`, percent-encoded (names may be Chinese).
pub fn profile_path(username: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(username.as_bytes()).collect();
    format!("/u/{encoded}")
}

/// A stored time as the pages show it.
pub fn timestamp(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Whether the request came from script (`fetch` with the CSRF header or asking for JSON) rather than
/// a plain form, so the answer is JSON instead of a redirect.
fn wants_json(req: &actix_web::HttpRequest) -> bool {
    let accepts_json = req
        .headers()
        .get("accept")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    accepts_json || req.headers().contains_key(crate::auth::csrf::HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_link_into_their_question() {
        assert_eq!(post_path("answer", 5, Some(2)), "/questions/2#answer-5");
        assert_eq!(post_path("article", 3, None), "/articles/3");
        assert_eq!(post_path("question", 2, None), "/questions/2");
    }

    #[test]
    fn chinese_usernames_are_percent_encoded() {
        assert_eq!(profile_path("李雷"), "/u/%E6%9D%8E%E9%9B%B7");
        assert_eq!(profile_path("a.b-c_d"), "/u/a.b-c_d");
    }
}
