//! `POST /api/v1/flags`: flags a post, comment, member or resource for the moderators through
//! `services::moderation::flag` (the same hourly budget and auto-hide threshold as the form).
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Caller;
use crate::app::App;
use crate::domain::{FlagInput, FlagTarget};
use crate::services;
use crate::services::moderation::FlagRefusal;
use crate::web::problem::Problem;

/// A flag.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewFlag {
    /// `post`, `comment`, `user` or `resource`.
    pub target_kind: String,
    pub target_id: i64,
    /// `spam`, `rude`, `off_topic`, `duplicate`, `low_quality`, `needs_review` or `other`.
    pub reason: String,
    /// Required for `other`.
    #[serde(default)]
    pub note: String,
}

/// The stored flag.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlagOut {
    pub id: i64,
    /// Enough trusted members agreed and the target is hidden now.
    pub hidden: bool,
}

/// Flags something for the moderators.
#[utoipa::path(
    operation_id = "flags_raise",
    tag = "flags",
    request_body = NewFlag,
    responses(
        (status = 201, description = "Flagged", body = FlagOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token, one's own content or a silenced member", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Flagged already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused input", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (see Retry-After)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/flags")]
pub async fn raise(
    state: web::Data<App>,
    caller: Caller,
    input: web::Json<NewFlag>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let writer = caller.writer()?;
    let target = FlagTarget::parse(&input.target_kind)
        .ok_or_else(|| Problem::invalid("target_kind", t.get("flag.error_target")))?;
    let flag = FlagInput::parse(&input.reason, &input.note)
        .map_err(|e| Problem::invalid(e.field, t.get(e.key)))?;
    match services::moderation::flag(&state, writer, target, input.target_id, &flag).await {
        Ok(outcome) => Ok(HttpResponse::Created().json(FlagOut {
            id: outcome.flag_id,
            hidden: outcome.hid,
        })),
        Err(FlagRefusal::NotFound) => Err(Problem::not_found(t)),
        Err(FlagRefusal::OwnContent) => Err(Problem::forbidden(t, t.get("flag.error_own"))),
        Err(FlagRefusal::Duplicate) => Err(Problem::new(
            StatusCode::CONFLICT,
            "duplicate",
            t.get("flag.error_duplicate"),
        )),
        Err(FlagRefusal::Write(e)) => Err(Problem::from_write(e, t)),
    }
}
