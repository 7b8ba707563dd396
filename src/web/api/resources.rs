//! `/api/v1/resources`: the approved directory, newest first (keyset by id, optionally one kind),
//! and one entry (pending and rejected ones only to their submitter and staff, as on the pages).
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Caller;
use super::cursor::{PageParams, Paged, Position};
use super::views::ResourceOut;
use crate::app::App;
use crate::auth::policy;
use crate::db;
use crate::domain::ResourceKind;
use crate::error::AppError;
use crate::web::problem::Problem;

/// `?kind=` of the directory.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KindFilter {
    /// `book`, `course`, `paper`, `tool`, `model` or `dataset`; absent for every kind.
    pub kind: Option<String>,
}

/// Approved resources, newest first.
#[utoipa::path(
    operation_id = "resources_list",
    tag = "resources",
    params(KindFilter, PageParams),
    responses(
        (status = 200, description = "A page of resources", body = Paged<ResourceOut>),
        (status = 422, description = "A bad kind, cursor or limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/resources")]
pub async fn list(
    state: web::Data<App>,
    caller: Caller,
    filter: web::Query<KindFilter>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let kind = match filter.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(text) => ResourceKind::parse(text)
            .ok_or_else(|| Problem::invalid("kind", t.get("api.bad_kind")))?
            .as_str(),
        None => "",
    };
    let (after, limit) = params.read(t)?;
    let before = after.map_or(i64::MAX, |p| p.id);
    let mut found = db::resources::approved_before(&state.db, kind, before, limit + 1)
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?;
    let next = if found.len() as i64 > limit {
        found.truncate(limit as usize);
        found.last().map(|r| Position { key: 0, id: r.id })
    } else {
        None
    };
    let items = found.into_iter().map(ResourceOut::from).collect();
    Ok(HttpResponse::Ok().json(Paged::<ResourceOut>::new(items, next)))
}

/// One resource.
#[utoipa::path(
    operation_id = "resources_show",
    tag = "resources",
    params(("id" = i64, Path, description = "The resource's id")),
    responses(
        (status = 200, description = "The resource", body = ResourceOut),
        (status = 404, description = "No such resource, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/resources/{id}")]
pub async fn show(
    state: web::Data<App>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let resource = db::resources::by_id(&state.db, path.into_inner())
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?
        .filter(|r| policy::resource_visible(r, caller.viewer()))
        .ok_or_else(|| Problem::not_found(t))?;
    Ok(HttpResponse::Ok().json(ResourceOut::from(resource)))
}
