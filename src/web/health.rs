//! `/healthz`: is the process up and can it reach its database.
use actix_web::{web, HttpResponse};

use crate::app::App;

pub async fn check(state: web::Data<App>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "database": "ok" })),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "error", "database": "unreachable" }))
        }
    }
}
