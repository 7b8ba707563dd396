//! `POST /api/v1/votes`: up (1), down (-1) or retract (0) a vote through `services::votes::vote`,
//! with the privileges the vote buttons need.
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Caller;
use crate::app::App;
use crate::auth::privileges::{has_privilege, Privilege};
use crate::db::votes::TargetKind;
use crate::services;
use crate::services::votes::VoteRefusal;
use crate::web::problem::Problem;

/// A vote.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewVote {
    /// `question`, `answer`, `article`, `comment` or `resource`.
    pub target_kind: String,
    pub target_id: i64,
    /// 1 up, -1 down, 0 take the vote back.
    pub value: i64,
}

/// The target's score after the vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteOut {
    pub score: i64,
    /// The caller's vote now: 1, -1 or 0.
    pub my_vote: i64,
}

/// Votes on a post, comment or resource.
#[utoipa::path(
    operation_id = "votes_cast",
    tag = "votes",
    request_body = NewVote,
    responses(
        (status = 200, description = "Counted", body = VoteOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token, one's own post, too little reputation or a silenced member", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused input", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (see Retry-After)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/votes")]
pub async fn cast(
    state: web::Data<App>,
    caller: Caller,
    input: web::Json<NewVote>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let writer = caller.writer()?;
    let target = TargetKind::parse(&input.target_kind)
        .ok_or_else(|| Problem::invalid("target_kind", t.get("vote.error_target")))?;
    let needed = match input.value {
        1 => Some(Privilege::VoteUp),
        -1 => Some(Privilege::VoteDown),
        0 => None,
        _ => return Err(Problem::invalid("value", t.get("vote.error_value"))),
    };
    if let Some(privilege) = needed.filter(|p| !has_privilege(writer.user, *p)) {
        let key = match privilege {
            Privilege::VoteDown => "vote.error_reputation_down",
            _ => "vote.error_reputation_up",
        };
        let needed = privilege.min_reputation().to_string();
        return Err(Problem::forbidden(t, t.fill(key, &[("needed", &needed)])));
    }
    match services::votes::vote(&state, writer, target, input.target_id, input.value).await {
        Ok(outcome) => Ok(HttpResponse::Ok().json(VoteOut {
            score: outcome.score,
            my_vote: outcome.my_vote,
        })),
        Err(VoteRefusal::NotFound) => Err(Problem::not_found(t)),
        Err(VoteRefusal::OwnPost) => Err(Problem::forbidden(t, t.get("vote.error_own_post"))),
        Err(VoteRefusal::CommentDownvote) => {
            Err(Problem::invalid("value", t.get("vote.error_comment_down")))
        }
        Err(VoteRefusal::Write(e)) => Err(Problem::from_write(e, t)),
    }
}
