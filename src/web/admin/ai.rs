//! `/admin/ai`: the model and runtime, the job queue (states, dead jobs with their last error),
//! figures of recent bot answers and summaries, regenerating a summary (staff), and which AI
//! features are on (admins).
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::ai::AiStatus;
use crate::app::App;
use crate::db;
use crate::domain::Username;
use crate::error::AppError;
use crate::services::settings::{FeatureSettings, BOT_MAX_TOKENS_RANGE, SUMMARY_MIN_CHARS_RANGE};
use crate::web::context::{Ctx, Page};
use crate::web::refusal::error_page;

struct Row {
    label: String,
    value: String,
}

struct JobLine {
    id: i64,
    kind: String,
    status: String,
    attempts: i64,
    last_error: String,
}

struct RecentLine {
    what: String,
    url: String,
    status: String,
    tokens: i64,
    millis: i64,
    tokens_per_s: String,
}

#[derive(Template)]
#[template(path = "admin/ai.html")]
struct AiPage {
    page: Page,
    status_line: String,
    ai_on: bool,
    model: Vec<Row>,
    counters: Vec<Row>,
    job_counts: Vec<(String, i64)>,
    problem_jobs: Vec<JobLine>,
    recent: Vec<RecentLine>,
    features: FeatureSettings,
    can_edit: bool,
    error: String,
}

fn rate(tokens: i64, millis: i64) -> String {
    if tokens <= 0 || millis <= 0 {
        "–".into()
    } else {
        format!("{:.1}", tokens as f64 * 1000.0 / millis as f64)
    }
}

async fn ai_page(
    ctx: &Ctx,
    state: &App,
    features: Option<FeatureSettings>,
    error: String,
) -> Result<AiPage, AppError> {
    let me = ctx.require_staff()?;
    let t = ctx.t();
    let row = |key: &str, value: String| Row {
        label: t.get(key).to_string(),
        value,
    };
    let (status_line, ai_on, mut model) = match state.ai_status() {
        AiStatus::Ready(m) => (
            t.get("ai.status_ready").to_string(),
            true,
            vec![
                row("ai.model_dir", m.model_dir.clone()),
                row("ai.runtime", m.runtime_version.clone()),
                row(
                    "ai.shape",
                    format!(
                        "{} × {} ({} heads), vocab {}",
                        m.n_layer, m.n_embd, m.n_head, m.vocab_size
                    ),
                ),
                row("ai.context", m.n_positions.to_string()),
            ],
        ),
        AiStatus::Loading => (t.get("ai.status_loading").to_string(), false, Vec::new()),
        AiStatus::Off { reason } => (
            format!("{} {reason}", t.get("ai.off_prefix")),
            false,
            Vec::new(),
        ),
    };
    let mut counters = Vec::new();
    if let Some(ai) = &state.ai {
        let stats = ai.stats();
        model.push(row("ai.threads", stats.threads.to_string()));
        if let Some(load) = stats.model_load_time {
            model.push(row("ai.load_time", format!("{} ms", load.as_millis())));
        }
        counters = vec![
            row(
                "ai.queue",
                format!("{} / {}", stats.queue_depth, stats.queue_capacity),
            ),
            row(
                "ai.tokens_per_s",
                format!("{:.1}", stats.recent_tokens_per_s),
            ),
            row("ai.tokens_generated", stats.tokens_generated.to_string()),
            row("ai.generations", stats.jobs_done.to_string()),
            row("ai.busy_rejections", stats.busy_rejections.to_string()),
        ];
    }
    let mut recent: Vec<RecentLine> = db::ai::recent_asks(&state.db, 10)
        .await?
        .into_iter()
        .map(|a| RecentLine {
            what: format!("{}: {}", t.get("ai.bot_question"), a.question),
            url: format!("/bot/answers/{}", a.id),
            status: a.status.as_str().to_string(),
            tokens: a.tokens,
            millis: a.elapsed_ms,
            tokens_per_s: rate(a.tokens, a.elapsed_ms),
        })
        .collect();
    recent.extend(
        db::ai::recent_summaries(&state.db, 10)
            .await?
            .into_iter()
            .map(|s| RecentLine {
                what: format!("{} #{}", t.get("ai.summary_of"), s.post_id),
                url: format!("/posts/{}/summary", s.post_id),
                status: if s.stale {
                    format!("{} (stale)", s.status)
                } else {
                    s.status
                },
                tokens: s.tokens,
                millis: s.elapsed_ms,
                tokens_per_s: rate(s.tokens, s.elapsed_ms),
            }),
    );
    let problem_jobs = db::jobs::problems(&state.db, 20)
        .await?
        .into_iter()
        .map(|j| JobLine {
            id: j.id,
            kind: j.kind,
            status: j.status,
            attempts: j.attempts,
            last_error: j.last_error,
        })
        .collect();
    let features = match features {
        Some(f) => f,
        None => FeatureSettings::load(&state.db).await?,
    };
    Ok(AiPage {
        page: ctx.page(t.get("ai.admin_title")),
        status_line,
        ai_on,
        model,
        counters,
        job_counts: db::jobs::counts_by_status(&state.db).await?,
        problem_jobs,
        recent,
        features,
        can_edit: me.is_admin(),
        error,
    })
}

/// `GET /admin/ai` (staff)
pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    crate::web::ok(&ai_page(&ctx, &state, None, String::new()).await?)
}

#[derive(Deserialize)]
pub struct FeaturesForm {
    #[serde(default)]
    summaries: Option<String>,
    #[serde(default)]
    summary_min_chars: String,
    #[serde(default)]
    bot: Option<String>,
    #[serde(default)]
    bot_auto_answer: Option<String>,
    #[serde(default)]
    bot_name: String,
    #[serde(default)]
    bot_max_tokens: String,
}

/// `POST /admin/ai/settings` (admins): each change is a setting change in the audit log.
pub async fn save(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<FeaturesForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let form = form.into_inner();
    let t = ctx.t();
    let min_chars = form.summary_min_chars.trim().parse::<usize>().ok();
    let max_tokens = form.bot_max_tokens.trim().parse::<usize>().ok();
    let name = Username::parse(&form.bot_name);
    let wanted = FeatureSettings {
        summaries: form.summaries.is_some(),
        summary_min_chars: min_chars.unwrap_or(0),
        bot: form.bot.is_some(),
        bot_auto_answer: form.bot_auto_answer.is_some(),
        bot_name: form.bot_name.trim().to_string(),
        bot_max_tokens: max_tokens.unwrap_or(0),
    };
    let problem = if !min_chars.is_some_and(|n| SUMMARY_MIN_CHARS_RANGE.contains(&n)) {
        Some(t.fill(
            "ai.error.min_chars",
            &[
                ("min", &SUMMARY_MIN_CHARS_RANGE.start().to_string()),
                ("max", &SUMMARY_MIN_CHARS_RANGE.end().to_string()),
            ],
        ))
    } else if !max_tokens.is_some_and(|n| BOT_MAX_TOKENS_RANGE.contains(&n)) {
        Some(t.fill(
            "ai.error.max_tokens",
            &[
                ("min", &BOT_MAX_TOKENS_RANGE.start().to_string()),
                ("max", &BOT_MAX_TOKENS_RANGE.end().to_string()),
            ],
        ))
    } else if name.is_err() {
        Some(t.get("ai.error.bot_name").to_string())
    } else {
        None
    };
    let name = match (problem, name) {
        (None, Ok(name)) => name,
        // A bad name always has its message above.
        (problem, _) => {
            let page = ai_page(&ctx, &state, Some(wanted), problem.unwrap_or_default()).await?;
            return crate::web::render(&page, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    crate::services::settings::save_features(&state, &me, &wanted, &name).await?;
    ctx.flash("admin.saved");
    Ok(crate::web::see_other("/admin/ai"))
}

#[derive(Deserialize)]
pub struct RegenerateForm {
    #[serde(default)]
    post_id: String,
}

/// `POST /admin/ai/regenerate` (staff, post_id): summarise a post again, even if unchanged.
pub async fn regenerate(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<RegenerateForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let post = match form.post_id.trim().parse::<i64>() {
        Ok(id) => db::ai::post_source(&state.db, id).await?,
        Err(_) => None,
    };
    let Some(post) = post.filter(|p| matches!(p.kind.as_str(), "article" | "question")) else {
        let page = ai_page(
            &ctx,
            &state,
            None,
            ctx.t().get("ai.error.no_such_post").to_string(),
        )
        .await?;
        return crate::web::render(&page, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY);
    };
    crate::services::summaries::regenerate(&state, &me, &post)
        .await
        .map_err(|e| error_page(e, ctx.t()))?;
    ctx.flash("ai.flash.regenerate_queued");
    Ok(crate::web::see_other("/admin/ai"))
}
