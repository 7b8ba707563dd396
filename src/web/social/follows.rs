//! `POST /follows`: watch, mute or reset a tag, or watch or reset a question or article. JSON for
//! `fetch`, a redirect back to the tag or topic for the plain form.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::app::App;
use crate::db::follows::Level;
use crate::error::AppError;
use crate::services::follows::{FollowRefusal, FollowTarget};
use crate::services::{self, Writer};
use crate::web::context::Ctx;
use crate::web::refusal;

#[derive(Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    level: String,
}

/// `tag` with a name, or `post` (`question`, `article`) with an id.
fn parse_target(kind: &str, target: &str) -> Option<FollowTarget> {
    let target = target.trim();
    match kind.trim() {
        "tag" if !target.is_empty() => Some(FollowTarget::Tag(target.to_lowercase())),
        "post" | "question" | "article" => target
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(FollowTarget::Post),
        _ => None,
    }
}

/// `watch`, `mute`, or `normal` (no row).
fn parse_level(text: &str) -> Option<Option<Level>> {
    match text.trim() {
        "watch" => Some(Some(Level::Watch)),
        "mute" => Some(Some(Level::Mute)),
        "normal" | "" => Some(None),
        _ => None,
    }
}

pub async fn set(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<FollowForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let target = parse_target(&form.target_kind, &form.target)
        .ok_or_else(|| AppError::Invalid(t.get("follow.error_target").to_string()))?;
    let level = parse_level(&form.level)
        .ok_or_else(|| AppError::Invalid(t.get("follow.error_level").to_string()))?;
    let ip = ctx.client_ip();
    let back = match services::follows::set(&state, Writer::new(&me, &ip), &target, level).await {
        Ok(back) => back,
        Err(FollowRefusal::NotFound) => return Err(AppError::NotFound),
        Err(FollowRefusal::MuteTopic) => {
            return Err(AppError::Invalid(
                t.get("follow.error_mute_topic").to_string(),
            ))
        }
        Err(FollowRefusal::Write(e)) => return Err(refusal::error_page(e, t)),
    };
    let level_text = level.map_or("normal", Level::as_str);
    if super::wants_json(&req) {
        return Ok(HttpResponse::Ok().json(serde_json::json!({ "level": level_text })));
    }
    ctx.flash(match level {
        Some(Level::Watch) => "follow.flash_watch",
        Some(Level::Mute) => "follow.flash_mute",
        None => "follow.flash_normal",
    });
    Ok(crate::web::see_other(&back))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_targets_and_levels_parse_strictly() {
        assert_eq!(
            parse_target("tag", " PyTorch "),
            Some(FollowTarget::Tag("pytorch".into()))
        );
        assert_eq!(parse_target("question", "12"), Some(FollowTarget::Post(12)));
        assert_eq!(parse_target("tag", " "), None);
        assert_eq!(parse_target("user", "bob"), None);
        assert_eq!(parse_level("mute"), Some(Some(Level::Mute)));
        assert_eq!(parse_level("normal"), Some(None));
        assert_eq!(parse_level("loud"), None);
    }
}
