//! Builds the server users run and tests start: the middleware stack around the route table.
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::ai::{AiService, AiStatus};
use crate::app::App;
use crate::config::Settings;
use crate::db::{self, Db};
use crate::error::AppError;
use crate::jobs::Worker;
use crate::web::middleware::{csrf, error_pages, headers, request_log, session};

/// A bound, migrated server ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: App,
}

/// Why the server could not start, phrased for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid setting AGORA_BIND: cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the database at DATABASE_URL: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("invalid setting AGORA_UPLOAD_S3_URL: {0}")]
    Uploads(#[from] crate::storage::StoreError),
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartError::Bind {
            addr: settings.bind,
            source,
        })?;
        let db = Db::connect(&settings.database_url).await?;
        db.migrate().await?;
        let visitor_key = crate::auth::csrf::VisitorKey::load(&db).await?;
        Self::with_listener(settings, db, visitor_key, listener)
    }

    fn with_listener(
        settings: Settings,
        db: Db,
        visitor_key: crate::auth::csrf::VisitorKey,
        listener: TcpListener,
    ) -> Result<Self, StartError> {
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let ai = settings.ai_enabled.then(|| AiService::start(&settings.ai));
        crate::auth::hash_gate::return_large_buffers_to_the_system();
        let hashes = crate::auth::hash_gate::HashGate::new(settings.password_hashes);
        let uploads = crate::storage::Store::open(&settings.uploads)?;
        tracing::info!(store = %uploads.describe(), "uploads stored");
        let state = App {
            db,
            settings: Arc::new(settings),
            ai,
            hashes,
            visitor_key: Arc::new(visitor_key),
            views: Default::default(),
            uploads,
        };
        let grace = state.settings.shutdown_grace.as_secs();
        let addr = state.settings.bind;
        let data = web::Data::new(state.clone());
        let sitemaps = web::Data::new(crate::web::posts::sitemap_cache::SitemapCache::default());
        let visitor_pages =
            web::Data::new(crate::web::posts::visitor_pages::VisitorPages::default());
        let server = HttpServer::new(move || {
            build_app(data.clone(), sitemaps.clone(), visitor_pages.clone())
        })
        .listen(listener)
        .map_err(|source| StartError::Bind { addr, source })?
        .shutdown_timeout(grace)
        .run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &App {
        &self.state
    }

    /// Serves until SIGTERM/SIGINT, then finishes in-flight requests (up to the grace period).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let janitor = tokio::spawn(sweep_expired(self.state.clone()));
        let views = tokio::spawn(flush_views(self.state.clone()));
        let badges = self
            .state
            .settings
            .jobs_enabled
            .then(|| tokio::spawn(crate::services::badges::schedule(self.state.db.clone())));
        let worker = self.state.settings.jobs_enabled.then(|| {
            let worker = job_worker(&self.state);
            let ai = self.state.ai.clone();
            tokio::spawn(async move {
                // AI jobs wait for the model rather than failing while it loads.
                if let Some(ai) = ai {
                    let _ = tokio::task::spawn_blocking(move || {
                        ai.wait_until_loaded(Duration::from_secs(120))
                    })
                    .await;
                }
                worker.run(Duration::from_secs(2)).await;
            })
        });
        if let Some(ai) = self.state.ai.clone() {
            tokio::task::spawn_blocking(move || report_ai_status(&ai));
        }
        // Notification mail is swept every minute by whichever instance runs jobs.
        let mail_sweeps = (self.state.settings.jobs_enabled && self.state.settings.mail.is_some())
            .then(|| {
                tokio::spawn(crate::services::notification_mail::sweep_every(
                    self.state.clone(),
                    Duration::from_secs(60),
                ))
            });
        let result = self.server.await;
        janitor.abort();
        views.abort();
        if let Err(e) = self.state.views.flush(&self.state.db).await {
            tracing::warn!(error = %e, "could not write the last view counts");
        }
        if let Some(sweeps) = mail_sweeps {
            sweeps.abort();
        }
        if let Some(worker) = worker {
            worker.abort();
        }
        if let Some(badges) = badges {
            badges.abort();
        }
        self.state.db.close().await;
        result
    }
}

/// The application: middleware (outermost first: request log, headers, session, error pages, CSRF)
/// around the route table.
pub fn build_app(
    data: web::Data<App>,
    sitemaps: web::Data<crate::web::posts::sitemap_cache::SitemapCache>,
    visitor_pages: web::Data<crate::web::posts::visitor_pages::VisitorPages>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = data.settings.body_limit_bytes;
    let static_dir = data.settings.static_dir.clone();
    crate::web::middleware::assets::fingerprint(&static_dir);
    actix_web::App::new()
        .app_data(data)
        .app_data(sitemaps)
        .app_data(visitor_pages)
        .app_data(web::PayloadConfig::new(limit))
        .app_data(
            web::FormConfig::default()
                .limit(limit)
                .error_handler(|err, _| {
                    match err {
                        actix_web::error::UrlencodedError::Overflow { .. } => {
                            AppError::PayloadTooLarge
                        }
                        other => AppError::Invalid(other.to_string()),
                    }
                    .into()
                }),
        )
        .app_data(
            web::JsonConfig::default()
                .limit(limit)
                .error_handler(|err, _| {
                    match err {
                        actix_web::error::JsonPayloadError::Overflow { .. }
                        | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                            AppError::PayloadTooLarge
                        }
                        other => AppError::Invalid(other.to_string()),
                    }
                    .into()
                }),
        )
        .app_data(
            web::QueryConfig::default()
                .error_handler(|err, _| AppError::Invalid(err.to_string()).into()),
        )
        .wrap(from_fn(csrf::verify_csrf))
        .wrap(from_fn(error_pages::render_error_pages))
        .wrap(from_fn(session::load_session))
        .wrap(from_fn(crate::web::middleware::conditional::etag_pages))
        .wrap(from_fn(
            crate::web::middleware::assets::immutable_when_fingerprinted,
        ))
        .wrap(Compress::default())
        .wrap(from_fn(headers::security_headers))
        .wrap(TracingLogger::<request_log::RedactedRootSpan>::new())
        .service(
            actix_files::Files::new("/static", static_dir)
                .use_etag(true)
                .use_last_modified(true),
        )
        .configure(crate::web::routes::routes)
        .default_service(web::to(|| async {
            Err::<actix_web::HttpResponse, _>(AppError::NotFound)
        }))
}

/// The background worker with every job kind this instance runs; its name tells instances apart
/// in the jobs table.
pub fn job_worker(state: &App) -> Worker {
    let registry = crate::services::jobs::registry(state);
    let name = format!("{}-{}", hostname(), std::process::id());
    Worker::new(state.db.clone(), registry, name, 600)
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "agora".to_string())
}

/// One log line once the model has loaded (or failed to): the forum runs either way.
fn report_ai_status(ai: &AiService) {
    match ai.wait_until_loaded(Duration::from_secs(120)) {
        AiStatus::Ready(model) => tracing::info!(
            model = model.model_dir,
            runtime = model.runtime_version,
            layers = model.n_layer,
            "AI is on"
        ),
        AiStatus::Off { reason } => tracing::warn!("AI is off: {reason}"),
        AiStatus::Loading => tracing::warn!("AI is still loading after 120 s"),
    }
}

/// Writes the page views counted in memory every few seconds (one transaction per flush).
async fn flush_views(state: App) {
    let mut tick = tokio::time::interval(state.settings.view_flush);
    loop {
        tick.tick().await;
        if let Err(e) = state.views.flush(&state.db).await {
            tracing::warn!(error = %e, "could not write view counts; kept for the next flush");
        }
    }
}

/// Deletes expired sessions, old rate-limit rows and week-old exports every few minutes; queues the
/// day's serial-vote reversal (once a day: its job key is the day) and the upload clean-up every hour.
async fn sweep_expired(state: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        ticks += 1;
        // Hourly, from an hour after start: the upload clean-up reads every settled image's
        // references.
        if ticks % 12 == 0 {
            if let Err(e) = crate::services::uploads::queue_sweep(&state).await {
                tracing::warn!(error = %e, "could not queue the upload clean-up");
            }
        }
        let now = db::now();
        let idle = state.settings.session_idle.as_secs() as i64;
        if let Err(e) = db::sessions::delete_expired(&state.db, now, idle).await {
            tracing::warn!(error = %e, "could not sweep expired sessions");
        }
        // A personal-data export holds everything a member wrote: kept a week, then gone.
        if let Err(e) = db::personal_data::delete_exports_before(&state.db, now - 7 * 86_400).await
        {
            tracing::warn!(error = %e, "could not sweep old personal-data exports");
        }
        if let Err(e) = db::rate_limits::delete_older_than(&state.db, now - 86_400).await {
            tracing::warn!(error = %e, "could not sweep old rate-limit rows");
        }
        if let Err(e) = db::rate_limits::delete_attempts_older_than(&state.db, now - 86_400).await {
            tracing::warn!(error = %e, "could not sweep old attempt counters");
        }
        // Instances that run jobs schedule the daily ones.
        if state.settings.jobs_enabled {
            if let Err(e) = crate::services::votes::queue_serial_votes(&state).await {
                tracing::warn!(error = %e, "could not queue the serial-vote reversal");
            }
            // The periodic jobs (reminders, report rollups).
            if let Err(e) = crate::services::jobs::queue_periodic(&state.db).await {
                tracing::warn!(error = %e, "could not queue the periodic jobs");
            }
        }
    }
}
