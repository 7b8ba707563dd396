//! `spawn_app()`: the application under test, with a cookie-keeping client.
use std::collections::HashMap;
use std::sync::Arc;

use agora::config::Settings;
use agora::db::Db;
use agora::Application;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Response, StatusCode};
use sqlx::Connection;

pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub settings: Settings,
    /// The inference service when the test turned the AI on.
    pub ai: Option<agora::ai::AiService>,
    /// The server's page views not yet written (a test flushes them itself).
    pub views: agora::db::posts::views::ViewCounts,
    /// The server's upload store (the folder or the bucket).
    pub uploads: agora::storage::Store,
    _dir: Option<tempfile::TempDir>,
}

pub const PASSWORD: &str = "tidal quartz lantern mosaic";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra settings (`("AGORA_BODY_LIMIT_KB", "1")`, ...).
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let (database_url, dir) = fresh_database().await;
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url),
        ("AGORA_BIND".into(), "127.0.0.1:0".into()),
        (
            "AGORA_LOG".into(),
            std::env::var("TEST_LOG").unwrap_or_else(|_| "off".into()),
        ),
        (
            "AGORA_STATIC_DIR".into(),
            format!("{}/static", env!("CARGO_MANIFEST_DIR")),
        ),
        ("AGORA_AI".into(), "off".into()),
        // Tests run queued jobs themselves (`run_jobs`), so they can count what was queued.
        ("AGORA_JOBS".into(), "off".into()),
        // Test servers for outgoing requests listen on 127.0.0.1; off (the default) everywhere else.
        ("AGORA_OUTBOUND_ALLOW_LOOPBACK".into(), "true".into()),
    ]);
    for (k, v) in overrides {
        env.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("test settings are valid");
    agora::telemetry::init(&settings.log_filter, false);
    let app = Application::build(settings.clone())
        .await
        .expect("app starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    let ai = app.state().ai.clone();
    let views = app.state().views.clone();
    let uploads = app.state().uploads.clone();
    tokio::spawn(app.run_until_stopped());
    let jar = Arc::new(Jar::default());
    let client = client_with(jar.clone());
    TestApp {
        address,
        db,
        client,
        jar,
        settings,
        ai,
        views,
        uploads,
        _dir: dir,
    }
}

pub fn client_with(jar: Arc<Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A new SQLite file in a temporary folder, or a new database on the PostgreSQL server named by
/// TEST_DATABASE_URL.
async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            sqlx::any::install_default_drivers();
            let name = format!("agora_t_{}", hex_id());
            let mut conn = sqlx::AnyConnection::connect(&url)
                .await
                .expect("PostgreSQL reachable at TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/agora.db", dir.path().display());
            (url, Some(dir))
        }
    }
}

fn hex_id() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{n:016x}")
}

/// Pulls the CSRF token out of a page's form.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a CSRF token");
    let end = html[start..].find('"').expect("token ends") + start;
    html[start..end].to_string()
}

/// The app with the on-box model loaded, or `None` (the test is skipped with a note) when the
/// ONNX Runtime library is not installed. `make test` sets AGORA_REQUIRE_AI=1: there a missing
/// library fails the test instead of skipping it.
pub async fn spawn_app_with_ai(overrides: &[(&str, &str)]) -> Option<TestApp> {
    let library = std::env::var("ORT_DYLIB_PATH")
        .ok()
        .filter(|p| std::path::Path::new(p).exists());
    let Some(library) = library else {
        assert!(
            std::env::var("AGORA_REQUIRE_AI").as_deref() != Ok("1"),
            "AGORA_REQUIRE_AI=1 but ORT_DYLIB_PATH names no library (run `make setup`)"
        );
        eprintln!("skipped: ORT_DYLIB_PATH is not set to an installed ONNX Runtime library");
        return None;
    };
    let model_dir = format!("{}/models/agora-gpt2", env!("CARGO_MANIFEST_DIR"));
    let mut all: Vec<(&str, &str)> = vec![
        ("AGORA_AI", "on"),
        ("ORT_DYLIB_PATH", library.as_str()),
        ("AGORA_MODEL_DIR", model_dir.as_str()),
    ];
    all.extend_from_slice(overrides);
    let app = spawn_app_with(&all).await;
    let ai = app.ai.clone().expect("AI service started");
    let status = tokio::task::spawn_blocking(move || {
        ai.wait_until_loaded(std::time::Duration::from_secs(60))
    })
    .await
    .expect("join");
    assert!(
        matches!(status, agora::ai::AiStatus::Ready(_)),
        "model loads: {status:?}"
    );
    Some(app)
}

impl TestApp {
    /// The app the server runs on (its database and settings), for calling a service directly.
    pub fn state(&self) -> agora::app::App {
        agora::app::App {
            db: self.db.clone(),
            settings: Arc::new(self.settings.clone()),
            ai: self.ai.clone(),
            hashes: agora::auth::hash_gate::HashGate::new(self.settings.password_hashes),
            visitor_key: Arc::new(agora::auth::csrf::VisitorKey::ephemeral()),
            views: self.views.clone(),
            uploads: self.uploads.clone(),
        }
    }

    /// Runs queued background jobs (summaries, bot answers) until none is ready; returns how many ran.
    pub async fn run_jobs(&self) -> usize {
        let app = self.state();
        let registry = agora::services::jobs::registry(&app);
        let worker = agora::jobs::Worker::new(self.db.clone(), registry, "test-worker", 60);
        let mut ran = 0;
        while worker.run_once().await.expect("job queue") {
            ran += 1;
        }
        ran
    }

    /// Makes `username` an admin (or moderator) directly in the database.
    pub async fn make_role(&self, username: &str, role: agora::domain::Role) {
        let user = agora::db::users::by_username(&self.db, username)
            .await
            .expect("query")
            .expect("user");
        agora::db::users::set_role(&self.db, user.id, role)
            .await
            .expect("role");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_html(&self, path: &str) -> (StatusCode, String) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.text().await.expect("body"))
    }

    /// Fetches `form_page` for its CSRF token, then posts `fields` (plus the token) to `action`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, html) = self.get_html(form_page).await;
        let token = csrf_token(&html);
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf_token", &token));
        self.client
            .post(self.url(action))
            .form(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn register(&self, username: &str, email: &str, password: &str) -> Response {
        self.register_in(&self.client, username, email, password)
            .await
    }

    /// Signs up through `client` (another browser): opens the form for its token, then posts it.
    pub async fn register_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        email: &str,
        password: &str,
    ) -> Response {
        self.submit_in(
            client,
            "/register",
            "/register",
            &[
                ("username", username),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// [`TestApp::submit`] through `client` (another browser).
    pub async fn submit_in(
        &self,
        client: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let html = client
            .get(self.url(form_page))
            .send()
            .await
            .expect("form page")
            .text()
            .await
            .expect("body");
        let token = csrf_token(&html);
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf_token", &token));
        client
            .post(self.url(action))
            .form(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.submit(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Registers `name` and stays logged in.
    pub async fn sign_up(&self, name: &str) {
        let res = self
            .register(name, &format!("{name}@example.com"), PASSWORD)
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "sign-up of {name} succeeds"
        );
    }

    pub async fn logout(&self) -> Response {
        self.submit("/settings", "/logout", &[]).await
    }

    /// The raw session cookie the client holds (`name=value`), if any.
    pub fn cookie_header(&self) -> Option<String> {
        let url = self.address.parse().expect("url");
        self.jar
            .cookies(&url)
            .and_then(|h| h.to_str().ok().map(str::to_string))
    }

    /// A second browser against the same server.
    pub fn new_browser(&self) -> (reqwest::Client, Arc<Jar>) {
        let jar = Arc::new(Jar::default());
        (client_with(jar.clone()), jar)
    }
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A real SMTP server on 127.0.0.1 (aiosmtpd, `tools/mail/smtp_sink.py`) that keeps every message it
/// accepts in a folder; the tests read what was delivered from there.
pub struct MailSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: std::process::Child,
}

/// One delivered message, decoded by the sink (Python's email package).
#[derive(Debug, serde::Deserialize)]
pub struct Delivered {
    pub to: Vec<String>,
    pub subject: String,
    pub headers: HashMap<String, String>,
    pub content_type: String,
    pub text: String,
    pub html: String,
}

impl Delivered {
    /// The first absolute link in the plain text whose path starts with `path_prefix`.
    pub fn link(&self, path_prefix: &str) -> Option<String> {
        self.text
            .split_whitespace()
            .filter(|word| word.starts_with("http"))
            .find(|url| {
                url.split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
                    .is_some_and(|path| path.starts_with(path_prefix))
            })
            .map(str::to_string)
    }

    /// The path (and query) of [`Delivered::link`].
    pub fn path(&self, path_prefix: &str) -> Option<String> {
        let url = self.link(path_prefix)?;
        let rest = url.split_once("://")?.1;
        Some(rest[rest.find('/')?..].to_string())
    }
}

/// Installs aiosmtpd into .venv-mail once per test run (`tools/setup/mail.sh`, idempotent).
fn mail_venv() -> std::path::PathBuf {
    static READY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let status = std::process::Command::new("bash")
                .arg(root.join("tools/setup/mail.sh"))
                .status()
                .expect("bash runs tools/setup/mail.sh");
            assert!(status.success(), "tools/setup/mail.sh installs aiosmtpd");
            root.join(".venv-mail/bin/python")
        })
        .clone()
}

impl MailSink {
    /// Starts the sink; with `fail_first` > 0 it answers that many messages with 451 first.
    pub fn start(fail_first: u32) -> MailSink {
        use std::io::BufRead;
        let python = mail_venv();
        let dir = tempfile::tempdir().expect("mail folder");
        let script = format!("{}/tools/mail/smtp_sink.py", env!("CARGO_MANIFEST_DIR"));
        let mut child = std::process::Command::new(python)
            .arg(script)
            .arg("--dir")
            .arg(dir.path())
            .arg("--fail-first")
            .arg(fail_first.to_string())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the SMTP sink starts");
        let stdout = child.stdout.take().expect("sink stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the sink says it is ready");
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the sink printed `{line}`"));
        MailSink { port, dir, child }
    }

    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message delivered so far, in order.
    pub fn messages(&self) -> Vec<Delivered> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .expect("mail folder")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("message");
                serde_json::from_str(&text).expect("message json")
            })
            .collect()
    }

    /// The messages delivered to `address`.
    pub fn messages_to(&self, address: &str) -> Vec<Delivered> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The app with mail going to a real SMTP server (the returned sink).
pub async fn spawn_app_with_mail(overrides: &[(&str, &str)]) -> (TestApp, MailSink) {
    let sink = MailSink::start(0);
    let app = spawn_app_with_mail_to(&sink, overrides).await;
    (app, sink)
}

/// The app with mail going to `sink`.
pub async fn spawn_app_with_mail_to(sink: &MailSink, overrides: &[(&str, &str)]) -> TestApp {
    let url = sink.smtp_url();
    let mut all: Vec<(&str, &str)> = vec![
        ("AGORA_SMTP_URL", url.as_str()),
        ("AGORA_MAIL_FROM", "agora <noreply@agora.test>"),
    ];
    all.extend_from_slice(overrides);
    spawn_app_with(&all).await
}
