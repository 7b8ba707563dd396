//! `GET /api/v1/users/{username}`: a member's public profile (never the e-mail address).
use actix_web::{get, web, HttpResponse};

use super::auth::Caller;
use super::views::UserOut;
use crate::app::App;
use crate::db;
use crate::error::AppError;
use crate::web::problem::Problem;

/// A member's public profile.
#[utoipa::path(
    operation_id = "users_show",
    tag = "users",
    params(("username" = String, Path, description = "The member's username")),
    responses(
        (status = 200, description = "The profile", body = UserOut),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/users/{username}")]
pub async fn show(
    state: web::Data<App>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let user = db::users::by_username(&state.db, &path.into_inner())
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?
        .filter(|u| !u.deleted)
        .ok_or_else(|| Problem::not_found(t))?;
    Ok(HttpResponse::Ok().json(UserOut::from(user)))
}
