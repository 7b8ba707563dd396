//! The JSON API under `/api/v1`: one file per resource, each handler annotated for OpenAPI so the
//! document at `/api/v1/openapi.json` is built from the very scope the server mounts (a route that
//! is served is documented, and nothing else is). Reads follow the pages' visibility rules; writes
//! call the same service functions as the forms. Errors are RFC 9457 problems (`web::problem`).
pub mod answers;
pub mod articles;
pub mod auth;
pub mod bookmarks;
pub mod comments;
pub mod cursor;
pub mod flags;
pub mod questions;
pub mod resources;
pub mod search;
pub mod tags;
pub mod users;
pub mod views;
pub mod votes;

use std::sync::OnceLock;

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::http::StatusCode;
use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa_actix_web::scope::Scope;
use utoipa_actix_web::OpenApiFactory;

use crate::web::context::Ctx;
use crate::web::problem::Problem;

/// Where the API lives.
pub const BASE: &str = "/api/v1";

/// The `/api/v1` scope with every API route. Mounted by `web::routes` and read by [`document`].
pub fn scope() -> Scope<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    utoipa_actix_web::scope(BASE)
        .service(openapi_json)
        .service(questions::list)
        .service(questions::show)
        .service(questions::ask)
        .service(answers::list)
        .service(answers::show)
        .service(answers::create)
        .service(articles::list)
        .service(articles::show)
        .service(comments::list)
        .service(comments::create)
        .service(votes::cast)
        .service(flags::raise)
        .service(bookmarks::toggle)
        .service(tags::list)
        .service(users::show)
        .service(resources::list)
        .service(resources::show)
        .service(search::find)
        .default_service(actix_web::web::to(no_such_route))
}

/// Anything under `/api/v1` that is not a documented route (or not with this method).
async fn no_such_route(ctx: Ctx) -> Result<HttpResponse, Problem> {
    let t = ctx.t();
    Err(Problem::new(
        StatusCode::NOT_FOUND,
        "no-such-route",
        t.get("api.no_such_route"),
    ))
}

/// The OpenAPI 3.1 document of [`scope`], built once.
pub fn document() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let scope = scope();
        let paths = scope.paths();
        let mut schemas = Vec::new();
        scope.schemas(&mut schemas);
        let components = ComponentsBuilder::new()
            .schemas_from_iter(schemas)
            .security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "A personal access token from /settings/tokens (scope read or write).",
                        ))
                        .build(),
                ),
            )
            .security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "X-CSRF-Token",
                    "A signed-in browser session: the session cookie plus this header for writes.",
                ))),
            )
            .build();
        OpenApiBuilder::new()
            .info(
                InfoBuilder::new()
                    .title("agora API")
                    .version("1")
                    .description(Some(
                        "Read and write the forum as a member. Lists are cursor-paged: pass the \
                         `next_cursor` of a page as `cursor` to get the next one. Errors are \
                         RFC 9457 problem documents.",
                    ))
                    .build(),
            )
            .paths(paths)
            .components(Some(components))
            .build()
    })
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    operation_id = "openapi",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
