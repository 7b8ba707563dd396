//! `POST /votes`: up, down or retract a vote on a question, answer or article, and the vote widget
//! post pages include (`templates/social/vote.html`).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::auth::privileges::{has_privilege, Privilege};
use crate::auth::CurrentUser;
use crate::db::votes::TargetKind;
use crate::error::AppError;
use crate::services::votes::VoteRefusal;
use crate::services::{self, WriteError, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::refusal;

#[derive(Deserialize)]
pub struct VoteForm {
    target_kind: String,
    target_id: i64,
    value: String,
}

/// A vote's value as sent: `1` up, `-1` down, `0` take back.
fn parse_value(text: &str) -> Option<i64> {
    match text.trim() {
        "1" | "+1" => Some(1),
        "-1" => Some(-1),
        "0" => Some(0),
        _ => None,
    }
}

/// The privilege a vote of `value` needs (retracting needs none).
fn needed_privilege(value: i64) -> Option<Privilege> {
    match value {
        1 => Some(Privilege::VoteUp),
        -1 => Some(Privilege::VoteDown),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "social/message.html")]
struct MessagePage {
    page: Page,
    heading: String,
    message: String,
    back: String,
}

pub async fn cast(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<VoteForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let target = TargetKind::parse(&form.target_kind)
        .ok_or_else(|| AppError::Invalid(t.get("vote.error_target").to_string()))?;
    let value = parse_value(&form.value)
        .ok_or_else(|| AppError::Invalid(t.get("vote.error_value").to_string()))?;
    if let Some(privilege) = needed_privilege(value).filter(|p| !has_privilege(&me, *p)) {
        let needed = privilege.min_reputation().to_string();
        let key = match privilege {
            Privilege::VoteDown => "vote.error_reputation_down",
            _ => "vote.error_reputation_up",
        };
        let message = t.fill(key, &[("needed", &needed)]);
        return refuse(&req, &ctx, message, "/");
    }
    let ip = ctx.client_ip();
    let writer = Writer::new(&me, &ip);
    let outcome = match services::votes::vote(&state, writer, target, form.target_id, value).await {
        Ok(outcome) => outcome,
        Err(VoteRefusal::NotFound) => return Err(AppError::NotFound),
        Err(VoteRefusal::OwnPost) => {
            return refuse(&req, &ctx, t.get("vote.error_own_post").to_string(), "/")
        }
        Err(VoteRefusal::CommentDownvote) => {
            return Err(AppError::Invalid(
                t.get("vote.error_comment_down").to_string(),
            ))
        }
        Err(VoteRefusal::Write(WriteError::Silenced { until })) => {
            return refuse(&req, &ctx, refusal::silenced_message(until, t), "/")
        }
        Err(VoteRefusal::Write(e)) => return Err(refusal::error_page(e, t)),
    };
    if super::wants_json(&req) {
        return Ok(HttpResponse::Ok().json(serde_json::json!({
            "score": outcome.score,
            "my_vote": outcome.my_vote,
        })));
    }
    let back =
        crate::domain::paths::target_path(&outcome.post_kind, outcome.post_id, outcome.parent_id);
    let back = match outcome.comment_id {
        Some(comment) => crate::domain::paths::comment_url(&back, comment),
        None => back,
    };
    Ok(crate::web::see_other(&back))
}

/// A 403 that says why: JSON for scripts, a short page with a way back for forms.
fn refuse(
    req: &HttpRequest,
    ctx: &Ctx,
    message: String,
    back: &str,
) -> Result<HttpResponse, AppError> {
    let heading = ctx.t().get("vote.refused").to_string();
    if super::wants_json(req) {
        return Ok(HttpResponse::Forbidden()
            .json(serde_json::json!({ "error": heading, "message": message })));
    }
    crate::web::render(
        &MessagePage {
            page: ctx.page(heading.clone()),
            heading,
            message,
            back: back.to_string(),
        },
        StatusCode::FORBIDDEN,
    )
}

/// What `templates/social/vote.html` shows for one post.
#[derive(Debug, Clone)]
pub struct VoteWidget {
    /// `question`, `answer` or `article` (the form's `target_kind`).
    pub target_kind: &'static str,
    pub target_id: i64,
    pub score: i64,
    /// The viewer's vote: 1, -1 or 0.
    pub my_vote: i64,
    /// The viewer may press the buttons (signed in, not the author, has the privilege).
    pub can_up: bool,
    pub can_down: bool,
    /// Signed in: the bookmark button shows, pressed when `bookmarked`.
    pub can_bookmark: bool,
    pub bookmarked: bool,
    /// Signed in and a question or article: the watch button shows, pressed when `watching`.
    pub can_watch: bool,
    pub watching: bool,
}

impl VoteWidget {
    /// The value the up button sends: pressing an active vote takes it back.
    pub fn up_value(&self) -> i64 {
        if self.my_vote == 1 {
            0
        } else {
            1
        }
    }

    pub fn down_value(&self) -> i64 {
        if self.my_vote == -1 {
            0
        } else {
            -1
        }
    }
}

/// A post as the vote widget needs it.
#[derive(Debug, Clone, Copy)]
pub struct Votable<'a> {
    /// The post's kind as stored (`article`, `question`, `answer`, `bot_answer`).
    pub kind: &'a str,
    pub id: i64,
    pub author_id: i64,
    pub score: i64,
}

/// Vote widgets for the posts on a page, in the same order, with the viewer's votes, bookmarks and
/// watches (`marks`, read with the page's comments: [`super::on_posts`]).
pub fn widgets(
    viewer: Option<&CurrentUser>,
    posts: &[Votable<'_>],
    marks: &crate::db::marks::Marks,
) -> Vec<VoteWidget> {
    let (mine, saved, watched) = (&marks.post_votes, &marks.saved, &marks.watched);
    posts
        .iter()
        .map(|p| {
            let own = viewer.is_some_and(|u| u.id == p.author_id);
            let may = |privilege| viewer.is_some_and(|u| !own && has_privilege(u, privilege));
            VoteWidget {
                target_kind: TargetKind::of_post_kind(p.kind)
                    .map_or("question", TargetKind::as_str),
                target_id: p.id,
                score: p.score,
                my_vote: mine.get(&p.id).copied().unwrap_or(0),
                can_up: may(Privilege::VoteUp),
                can_down: may(Privilege::VoteDown),
                can_bookmark: viewer.is_some(),
                bookmarked: saved.contains(&p.id),
                can_watch: viewer.is_some() && matches!(p.kind, "question" | "article"),
                watching: watched.contains(&p.id),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vote_values_parse_strictly() {
        assert_eq!(parse_value("1"), Some(1));
        assert_eq!(parse_value("-1"), Some(-1));
        assert_eq!(parse_value("0"), Some(0));
        assert_eq!(parse_value("2"), None);
        assert_eq!(parse_value("up"), None);
    }

    #[test]
    fn retracting_needs_no_privilege() {
        assert_eq!(needed_privilege(0), None);
        assert_eq!(needed_privilege(1), Some(Privilege::VoteUp));
        assert_eq!(needed_privilege(-1), Some(Privilege::VoteDown));
    }

    #[test]
    fn pressing_an_active_button_takes_the_vote_back() {
        let mut widget = VoteWidget {
            target_kind: "answer",
            target_id: 1,
            score: 0,
            my_vote: 1,
            can_up: true,
            can_down: true,
            can_bookmark: true,
            bookmarked: false,
            can_watch: false,
            watching: false,
        };
        assert_eq!((widget.up_value(), widget.down_value()), (0, -1));
        widget.my_vote = -1;
        assert_eq!((widget.up_value(), widget.down_value()), (1, 0));
    }
}
