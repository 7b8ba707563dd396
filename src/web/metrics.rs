//! `/metrics`: Prometheus text format with the figures an operator watches (AI queue and speed).
//! Only aggregate counters: nothing about users or content. Served only to the addresses in
//! `AGORA_METRICS_ALLOW` (loopback by default) or to a request carrying `AGORA_METRICS_TOKEN` as a
//! bearer token; everyone else gets 403.
use std::fmt::Write;
use std::net::IpAddr;

use actix_web::{web, HttpRequest, HttpResponse};
use subtle::ConstantTimeEq;

use super::context::Ctx;
use crate::ai::AiStatus;
use crate::app::App;
use crate::error::AppError;

/// Whether this request may read the metrics.
fn allowed(ctx: &Ctx, req: &HttpRequest, state: &App) -> bool {
    let settings = &state.settings;
    if let Some(expected) = settings.metrics_token.as_deref() {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            return true;
        }
    }
    // A forwarded request from a proxy that is not trusted could come from anywhere, even when the
    // proxy itself sits on loopback.
    let peer = req.peer_addr().map(|a| a.ip());
    let forwarded =
        req.headers().contains_key("x-forwarded-for") || req.headers().contains_key("forwarded");
    if forwarded && !super::middleware::proxy::is_trusted(peer, &settings.trusted_proxies) {
        return false;
    }
    ctx.client_ip()
        .parse::<IpAddr>()
        .is_ok_and(|ip| settings.metrics_allow.iter().any(|net| net.contains(&ip)))
}

pub async fn show(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    if !allowed(&ctx, &req, &state) {
        return Err(AppError::Forbidden);
    }
    let mut out = String::new();
    let mut metric = |name: &str, help: &str, kind: &str, value: f64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    };
    let database_up = if state.db.ping().await.is_ok() {
        1.0
    } else {
        0.0
    };
    metric(
        "agora_database_up",
        "Whether the database answered a ping.",
        "gauge",
        database_up,
    );
    metric(
        "agora_password_hashes_total",
        "Password hashes and checks computed since start.",
        "counter",
        state.hashes.performed() as f64,
    );
    metric(
        "agora_password_hash_busy_total",
        "Log-ins and sign-ups answered busy because the hashing queue was full.",
        "counter",
        state.hashes.refused() as f64,
    );
    let ai_up = match state.ai_status() {
        AiStatus::Ready(_) => 1.0,
        _ => 0.0,
    };
    metric(
        "agora_ai_ready",
        "Whether the on-box model is loaded.",
        "gauge",
        ai_up,
    );
    if let Some(ai) = &state.ai {
        let stats = ai.stats();
        metric(
            "agora_ai_tokens_generated_total",
            "Tokens generated since start.",
            "counter",
            stats.tokens_generated as f64,
        );
        metric(
            "agora_ai_jobs_total",
            "Generations finished since start.",
            "counter",
            stats.jobs_done as f64,
        );
        metric(
            "agora_ai_busy_rejections_total",
            "Requests refused because the queue was full.",
            "counter",
            stats.busy_rejections as f64,
        );
        metric(
            "agora_ai_tokens_per_second",
            "Decode speed averaged over recent generations.",
            "gauge",
            stats.recent_tokens_per_s,
        );
        metric(
            "agora_ai_queue_depth",
            "Generations waiting.",
            "gauge",
            stats.queue_depth as f64,
        );
        metric(
            "agora_ai_queue_capacity",
            "Queue size before requests are refused.",
            "gauge",
            stats.queue_capacity as f64,
        );
        if let Some(load) = stats.model_load_time {
            metric(
                "agora_ai_model_load_seconds",
                "Time to load the model.",
                "gauge",
                load.as_secs_f64(),
            );
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out))
}
