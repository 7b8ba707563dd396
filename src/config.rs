//! Typed settings read once at start-up from the environment (and `.env`), validated before anything runs.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::db::{DatabaseUrl, QueryLimits};

/// Everything the forum can be configured with. Code receives the parts it needs; nothing else reads the
/// environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    pub secure_cookies: bool,
    pub log_filter: String,
    pub log_json: bool,
    pub body_limit_bytes: usize,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// `AGORA_TRUSTED_PROXIES`: reverse proxies whose X-Forwarded-* headers count (none by default).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `AGORA_PUBLIC_URL`: the forum's address as readers see it (absolute links); `https` turns on
    /// Secure, `__Host-` cookies and HSTS whatever the bind address.
    pub public_url: Option<url::Url>,
    pub static_dir: PathBuf,
    pub shutdown_grace: Duration,
    /// `AGORA_VIEW_FLUSH_SECS`: how often page views counted in memory are written (default 30).
    pub view_flush: Duration,
    pub limits: RateLimits,
    /// `AGORA_AI`: run the on-box model at all (on by default; off frees its memory and threads).
    pub ai_enabled: bool,
    pub ai: AiSettings,
    /// `AGORA_JOBS`: run background jobs (summaries, bot answers) in this instance (on by default).
    pub jobs_enabled: bool,
    /// `AGORA_BOT_ASKS_PER_HOUR` per member and `AGORA_BOT_ASKS_PER_MINUTE` for the whole forum.
    pub bot_asks_per_hour: u32,
    pub bot_asks_per_minute: u32,
    /// `AGORA_RENDER_MAX_HTML_KB` and `AGORA_RENDER_CPU_MS`: what one post, comment or bio may cost
    /// to render.
    pub render: crate::render::Limits,
    /// `AGORA_PREVIEWS_PER_MINUTE`: live previews per member.
    pub previews_per_minute: u32,
    /// `AGORA_PASSWORD_HASHES`: password hashes computed at once (0: one per CPU core).
    pub password_hashes: usize,
    /// `AGORA_OUTBOUND_*`: what requests to other servers (link checks) may reach and read.
    pub outbound: crate::outbound::OutboundPolicy,
    /// `AGORA_METRICS_ALLOW`: client addresses that may read `/metrics` (loopback by default).
    pub metrics_allow: Vec<ipnet::IpNet>,
    /// `AGORA_METRICS_TOKEN`: a bearer token that opens `/metrics` from anywhere (none by default).
    pub metrics_token: Option<String>,
    /// `AGORA_SMTP_URL` and `AGORA_MAIL_FROM`: outgoing mail (none when the URL is unset; the pages
    /// that need mail then say so).
    pub mail: Option<MailSettings>,
    /// `AGORA_UPLOAD_*`: where uploaded images live and what one member may upload.
    pub uploads: UploadSettings,
}

/// Where outgoing mail goes and whom it is from.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:port` (plain; `?tls=required` for STARTTLS) or `smtps://host:port` (TLS), with
    /// credentials in the URL when the server wants them (`smtps://user:pass@host`).
    pub smtp_url: String,
    /// `AGORA_MAIL_FROM`: `agora <noreply@forum.example.org>` or a bare address.
    pub from: lettre::message::Mailbox,
}

/// Image uploads: the folder, the caps on one file and the budgets of one member.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    /// `AGORA_UPLOAD_DIR` (default `data/uploads`): files stored by SHA-256.
    pub dir: PathBuf,
    /// `AGORA_UPLOAD_MAX_KB` (default 5120): the largest file accepted.
    pub max_bytes: usize,
    /// `AGORA_UPLOAD_QUOTA_MB` (default 100): the stored bytes one member may hold.
    pub quota_bytes: u64,
    /// `AGORA_UPLOADS_PER_HOUR` (default 30): uploads per member per hour.
    pub per_hour: u32,
    /// `AGORA_UPLOAD_MAX_SIDE` (default 2048): longer sides are scaled down to this.
    pub max_side: u32,
    /// `AGORA_UPLOAD_MAX_MEGAPIXELS` (default 40): declared pixels past this are refused before
    /// anything is decoded.
    pub max_pixels: u64,
    /// `AGORA_AVATAR_SIDE` (default 256): avatars are thumbnailed to fit this square.
    pub avatar_side: u32,
    /// `AGORA_UPLOAD_GRACE_HOURS` (default 24): an unreferenced image this young is kept (its post
    /// may still be being written).
    pub grace: Duration,
    /// `AGORA_UPLOAD_S3_*`: images in an S3-compatible bucket instead of the folder (`None`: the
    /// folder), so several instances serve the same images.
    pub s3: Option<S3Settings>,
}

/// An S3-compatible bucket for uploads (AWS, MinIO, Ceph, Garage, ...).
#[derive(Clone)]
pub struct S3Settings {
    /// From `AGORA_UPLOAD_S3_URL=s3://bucket[/prefix]`.
    pub bucket: String,
    /// Keys start with this and a slash (empty: at the top of the bucket).
    pub prefix: String,
    /// `AGORA_UPLOAD_S3_ENDPOINT`: `https://s3.example.org` for a server other than AWS (path-style
    /// requests); unset for AWS itself.
    pub endpoint: Option<String>,
    /// `AGORA_UPLOAD_S3_REGION` (default `us-east-1`).
    pub region: String,
    /// `AGORA_UPLOAD_S3_KEY_ID` and `AGORA_UPLOAD_S3_SECRET`: both or neither (neither: the
    /// instance's role, from the cloud's metadata service).
    pub key_id: Option<String>,
    pub secret: Option<String>,
    /// `AGORA_UPLOAD_S3_ALLOW_HTTP` (default false): a plain `http://` endpoint is refused without it
    /// (for a test server on the same machine).
    pub allow_http: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("key_id", &self.key_id)
            .field("secret", &self.secret.as_ref().map(|_| "(set)"))
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// Attempt budgets for the account endpoints; counted in the database so every app instance shares them.
#[derive(Debug, Clone)]
pub struct RateLimits {
    pub login_failures_per_ip: u32,
    pub login_failures_per_account: u32,
    pub login_window: Duration,
    pub registrations_per_ip: u32,
    pub registration_window: Duration,
}

/// A setting that could not be used, named so the operator knows which line of `.env` to fix.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

fn invalid(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        message: message.into(),
    }
}

impl Settings {
    /// Reads settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());

        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/agora.db".into());
        let read_deadline_ms: u64 = number(&get, "AGORA_DB_QUERY_TIMEOUT_MS", 5000)?;
        let busy_timeout_ms: u64 = number(&get, "AGORA_DB_BUSY_TIMEOUT_MS", 5000)?;
        if read_deadline_ms == 0 {
            return Err(invalid(
                "AGORA_DB_QUERY_TIMEOUT_MS",
                "must be at least 1 (milliseconds)",
            ));
        }
        let database_url = DatabaseUrl::parse(&database_url)
            .map_err(|e| invalid("DATABASE_URL", e))?
            .with_limits(QueryLimits {
                read_deadline: Duration::from_millis(read_deadline_ms),
                busy_timeout: Duration::from_millis(busy_timeout_ms),
            });

        let bind_text = get("AGORA_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            invalid(
                "AGORA_BIND",
                format!("`{bind_text}` is not an address like 127.0.0.1:8080"),
            )
        })?;

        let public_url = match get("AGORA_PUBLIC_URL") {
            Some(v) => {
                let url = url::Url::parse(v.trim())
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                    .ok_or_else(|| {
                        invalid(
                            "AGORA_PUBLIC_URL",
                            format!("`{v}` is not an address like https://forum.example.org"),
                        )
                    })?;
                Some(url)
            }
            None => None,
        };
        let public_https = public_url.as_ref().is_some_and(|u| u.scheme() == "https");
        let secure_cookies = match get("AGORA_SECURE_COOKIES") {
            Some(v) => {
                let secure = parse_bool(&v).ok_or_else(|| {
                    invalid(
                        "AGORA_SECURE_COOKIES",
                        format!("`{v}` is not true or false"),
                    )
                })?;
                if public_https && !secure {
                    return Err(invalid(
                        "AGORA_SECURE_COOKIES",
                        "cannot be false when AGORA_PUBLIC_URL is https",
                    ));
                }
                secure
            }
            None => public_https || !bind.ip().is_loopback(),
        };

        let log_filter = get("AGORA_LOG").unwrap_or_else(|| "info".into());
        validate_log_filter(&log_filter).map_err(|e| invalid("AGORA_LOG", e))?;
        let log_json = match get("AGORA_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(invalid(
                    "AGORA_LOG_FORMAT",
                    format!("`{other}` is not text or json"),
                ))
            }
        };

        let body_limit_kib: u64 = number(&get, "AGORA_BODY_LIMIT_KB", 1024)?;
        let session_idle_hours: u64 = number(&get, "AGORA_SESSION_IDLE_HOURS", 24 * 7)?;
        let session_absolute_days: u64 = number(&get, "AGORA_SESSION_MAX_DAYS", 30)?;
        if session_idle_hours == 0 || session_absolute_days == 0 {
            return Err(invalid(
                "AGORA_SESSION_IDLE_HOURS",
                "session lifetimes must be at least 1",
            ));
        }
        if get("AGORA_TRUST_PROXY_HEADERS").is_some() {
            // The old switch trusted the leftmost X-Forwarded-For hop, which the client writes.
            return Err(invalid(
                "AGORA_TRUST_PROXY_HEADERS",
                "replaced by AGORA_TRUSTED_PROXIES: list your proxies' addresses, e.g. 127.0.0.1/32",
            ));
        }
        let trusted_proxies = parse_cidr_list(&get("AGORA_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|e| invalid("AGORA_TRUSTED_PROXIES", e))?;

        let limits = RateLimits {
            login_failures_per_ip: number(&get, "AGORA_LOGIN_FAILURES_PER_IP", 20)?,
            login_failures_per_account: number(&get, "AGORA_LOGIN_FAILURES_PER_ACCOUNT", 5)?,
            login_window: Duration::from_secs(15 * 60),
            registrations_per_ip: number(&get, "AGORA_REGISTRATIONS_PER_IP", 10)?,
            registration_window: Duration::from_secs(60 * 60),
        };

        let ai = AiSettings {
            ort_dylib_path: Some(PathBuf::from(
                get("ORT_DYLIB_PATH").unwrap_or_else(|| ".ort/lib/libonnxruntime.so".into()),
            )),
            model_dir: PathBuf::from(
                get("AGORA_MODEL_DIR").unwrap_or_else(|| "models/agora-gpt2".into()),
            ),
            threads: number(&get, "AGORA_AI_THREADS", 1)?,
            queue_capacity: number(&get, "AGORA_AI_QUEUE", 8)?,
            deadline: Duration::from_secs(number(&get, "AGORA_AI_DEADLINE_SECS", 60)?),
        };
        let ai_enabled = match get("AGORA_AI") {
            Some(v) => parse_bool(&v)
                .ok_or_else(|| invalid("AGORA_AI", format!("`{v}` is not on or off")))?,
            None => true,
        };
        let jobs_enabled = match get("AGORA_JOBS") {
            Some(v) => parse_bool(&v)
                .ok_or_else(|| invalid("AGORA_JOBS", format!("`{v}` is not on or off")))?,
            None => true,
        };
        let bot_asks_per_hour = number(&get, "AGORA_BOT_ASKS_PER_HOUR", 20)?;
        let bot_asks_per_minute = number(&get, "AGORA_BOT_ASKS_PER_MINUTE", 30)?;
        let render = crate::render::Limits {
            max_html_bytes: usize::try_from(
                number::<u64>(&get, "AGORA_RENDER_MAX_HTML_KB", 512)?.saturating_mul(1024),
            )
            .map_err(|_| invalid("AGORA_RENDER_MAX_HTML_KB", "too large"))?,
            cpu_budget: Duration::from_millis(number(&get, "AGORA_RENDER_CPU_MS", 1_000)?),
        };
        if render.max_html_bytes == 0 {
            return Err(invalid("AGORA_RENDER_MAX_HTML_KB", "must be at least 1"));
        }
        let previews_per_minute = number(&get, "AGORA_PREVIEWS_PER_MINUTE", 60)?;
        let password_hashes = number(&get, "AGORA_PASSWORD_HASHES", 0)?;
        let metrics_allow = parse_cidr_list(
            &get("AGORA_METRICS_ALLOW").unwrap_or_else(|| "127.0.0.0/8, ::1/128".into()),
        )
        .map_err(|e| invalid("AGORA_METRICS_ALLOW", e))?;
        let metrics_token = get("AGORA_METRICS_TOKEN").map(|t| t.trim().to_string());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(invalid(
                "AGORA_METRICS_TOKEN",
                "use at least 16 characters (e.g. openssl rand -hex 16)",
            ));
        }
        let outbound = crate::outbound::OutboundPolicy {
            allow_loopback: match get("AGORA_OUTBOUND_ALLOW_LOOPBACK") {
                Some(v) => parse_bool(&v).ok_or_else(|| {
                    invalid(
                        "AGORA_OUTBOUND_ALLOW_LOOPBACK",
                        format!("`{v}` is not true or false"),
                    )
                })?,
                None => false,
            },
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(number(&get, "AGORA_OUTBOUND_TIMEOUT_SECS", 10)?),
            max_body_bytes: number::<usize>(&get, "AGORA_OUTBOUND_MAX_KB", 64)?
                .saturating_mul(1024),
        };
        if ai.threads == 0 {
            return Err(invalid("AGORA_AI_THREADS", "must be at least 1"));
        }
        let mail = mail_settings(&get)?;
        let uploads = UploadSettings {
            dir: PathBuf::from(get("AGORA_UPLOAD_DIR").unwrap_or_else(|| "data/uploads".into())),
            max_bytes: number::<usize>(&get, "AGORA_UPLOAD_MAX_KB", 5120)?.saturating_mul(1024),
            quota_bytes: number::<u64>(&get, "AGORA_UPLOAD_QUOTA_MB", 100)?
                .saturating_mul(1024 * 1024),
            per_hour: number(&get, "AGORA_UPLOADS_PER_HOUR", 30)?,
            max_side: number(&get, "AGORA_UPLOAD_MAX_SIDE", 2048)?,
            max_pixels: number::<u64>(&get, "AGORA_UPLOAD_MAX_MEGAPIXELS", 40)?
                .saturating_mul(1_000_000),
            avatar_side: number(&get, "AGORA_AVATAR_SIDE", 256)?,
            grace: Duration::from_secs(
                number::<u64>(&get, "AGORA_UPLOAD_GRACE_HOURS", 24)?.saturating_mul(3600),
            ),
            s3: upload_s3_settings(&get)?,
        };
        if uploads.max_bytes == 0 || uploads.max_side == 0 || uploads.avatar_side == 0 {
            return Err(invalid(
                "AGORA_UPLOAD_MAX_KB",
                "upload size and sides must be at least 1",
            ));
        }

        Ok(Settings {
            database_url,
            bind,
            secure_cookies,
            log_filter,
            log_json,
            body_limit_bytes: usize::try_from(body_limit_kib * 1024)
                .map_err(|_| invalid("AGORA_BODY_LIMIT_KB", "too large"))?,
            session_idle: Duration::from_secs(session_idle_hours * 3600),
            session_absolute: Duration::from_secs(session_absolute_days * 86400),
            trusted_proxies,
            public_url,
            static_dir: PathBuf::from(get("AGORA_STATIC_DIR").unwrap_or_else(|| "static".into())),
            shutdown_grace: Duration::from_secs(number(&get, "AGORA_SHUTDOWN_GRACE_SECS", 30)?),
            view_flush: Duration::from_secs(number(&get, "AGORA_VIEW_FLUSH_SECS", 30u64)?.max(1)),
            limits,
            ai_enabled,
            ai,
            jobs_enabled,
            bot_asks_per_hour,
            bot_asks_per_minute,
            render,
            previews_per_minute,
            password_hashes,
            outbound,
            metrics_allow,
            metrics_token,
            mail,
            uploads,
        })
    }
}

/// `AGORA_SMTP_URL` (optional) and `AGORA_MAIL_FROM` (required with it).
fn mail_settings(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<MailSettings>, ConfigError> {
    let Some(smtp_url) = get("AGORA_SMTP_URL").map(|v| v.trim().to_string()) else {
        return Ok(None);
    };
    let usable = url::Url::parse(&smtp_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "smtp" | "smtps") && u.has_host());
    if usable.is_none() {
        return Err(invalid(
            "AGORA_SMTP_URL",
            "use smtp://host:port, smtp://host:587?tls=required (STARTTLS) or smtps://user:pass@host",
        ));
    }
    let from_text = get("AGORA_MAIL_FROM").ok_or_else(|| {
        invalid(
            "AGORA_MAIL_FROM",
            "is needed with AGORA_SMTP_URL, e.g. agora <noreply@forum.example.org>",
        )
    })?;
    let from = from_text.trim().parse().map_err(|_| {
        invalid(
            "AGORA_MAIL_FROM",
            format!("`{from_text}` is not an address like agora <noreply@forum.example.org>"),
        )
    })?;
    Ok(Some(MailSettings { smtp_url, from }))
}

/// `AGORA_UPLOAD_S3_URL` (optional) and the endpoint, region and keys that go with it.
fn upload_s3_settings(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<S3Settings>, ConfigError> {
    let Some(text) = get("AGORA_UPLOAD_S3_URL").map(|v| v.trim().to_string()) else {
        return Ok(None);
    };
    let url = url::Url::parse(&text)
        .ok()
        .filter(|u| u.scheme() == "s3" && u.host_str().is_some_and(|h| !h.is_empty()))
        .ok_or_else(|| {
            invalid(
                "AGORA_UPLOAD_S3_URL",
                format!("`{text}` is not a bucket like s3://agora-uploads or s3://bucket/prefix"),
            )
        })?;
    let bucket = url.host_str().unwrap_or_default().to_string();
    let prefix = url.path().trim_matches('/').to_string();
    let allow_http = match get("AGORA_UPLOAD_S3_ALLOW_HTTP") {
        Some(v) => parse_bool(&v).ok_or_else(|| {
            invalid(
                "AGORA_UPLOAD_S3_ALLOW_HTTP",
                format!("`{v}` is not true or false"),
            )
        })?,
        None => false,
    };
    let endpoint =
        match get("AGORA_UPLOAD_S3_ENDPOINT").map(|v| v.trim().to_string()) {
            None => None,
            Some(endpoint) => {
                let scheme = url::Url::parse(&endpoint)
                    .ok()
                    .filter(|u| u.has_host())
                    .map(|u| u.scheme().to_string());
                match scheme.as_deref() {
                    Some("https") => {}
                    Some("http") if allow_http => {}
                    Some("http") => return Err(invalid(
                        "AGORA_UPLOAD_S3_ENDPOINT",
                        "a plain http:// endpoint sends the keys unencrypted: use https://, or \
                         set AGORA_UPLOAD_S3_ALLOW_HTTP=true for a server on this machine",
                    )),
                    _ => {
                        return Err(invalid(
                            "AGORA_UPLOAD_S3_ENDPOINT",
                            format!("`{endpoint}` is not a URL like https://s3.example.org"),
                        ))
                    }
                }
                Some(endpoint.trim_end_matches('/').to_string())
            }
        };
    let key_id = get("AGORA_UPLOAD_S3_KEY_ID").map(|v| v.trim().to_string());
    let secret = get("AGORA_UPLOAD_S3_SECRET").map(|v| v.trim().to_string());
    if key_id.is_some() != secret.is_some() {
        return Err(invalid(
            "AGORA_UPLOAD_S3_SECRET",
            "AGORA_UPLOAD_S3_KEY_ID and AGORA_UPLOAD_S3_SECRET go together (set both, or neither \
             to use the instance's role)",
        ));
    }
    Ok(Some(S3Settings {
        bucket,
        prefix,
        endpoint,
        region: get("AGORA_UPLOAD_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        key_id,
        secret,
        allow_http,
    }))
}

/// Parses a list of CIDRs or single addresses separated by commas or spaces
/// (`AGORA_TRUSTED_PROXIES`, `AGORA_METRICS_ALLOW`).
pub fn parse_cidr_list(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{part}` is not an address or CIDR like 10.0.0.0/8"))
        })
        .collect()
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| invalid(name, format!("`{v}` is not a whole number"))),
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];

/// Accepts `level` or `target=level` directives separated by commas. tracing's own parser takes an unknown
/// bare word as a target name, which would silently log nothing useful; we refuse it instead.
fn validate_log_filter(filter: &str) -> Result<(), String> {
    for directive in filter.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let level = directive.rsplit_once('=').map_or(directive, |(_, l)| l);
        if !LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "unknown log level `{level}` (use one of {})",
                LEVELS.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_serve_sqlite_on_loopback_without_secure_cookies() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(!s.secure_cookies);
        assert!(s.database_url.is_sqlite());
    }

    #[test]
    fn public_bind_turns_secure_cookies_on() {
        let s = settings(&[("AGORA_BIND", "0.0.0.0:80")]).expect("valid");
        assert!(s.secure_cookies);
    }

    #[test]
    fn https_public_url_turns_secure_cookies_on_even_on_loopback() {
        let s = settings(&[("AGORA_PUBLIC_URL", "https://forum.example.org")]).expect("valid");
        assert!(s.secure_cookies);
        let err = settings(&[
            ("AGORA_PUBLIC_URL", "https://forum.example.org"),
            ("AGORA_SECURE_COOKIES", "false"),
        ])
        .unwrap_err();
        assert_eq!(err.name, "AGORA_SECURE_COOKIES");
        assert_eq!(
            settings(&[("AGORA_PUBLIC_URL", "forum")]).unwrap_err().name,
            "AGORA_PUBLIC_URL"
        );
    }

    #[test]
    fn the_old_proxy_switch_points_to_its_replacement() {
        let err = settings(&[("AGORA_TRUST_PROXY_HEADERS", "true")]).unwrap_err();
        assert!(err.to_string().contains("AGORA_TRUSTED_PROXIES"), "{err}");
        let s = settings(&[("AGORA_TRUSTED_PROXIES", "10.0.0.0/8 ::1")]).expect("valid");
        assert_eq!(s.trusted_proxies.len(), 2);
        assert!(settings(&[("AGORA_TRUSTED_PROXIES", "10.0.0.0/40")]).is_err());
    }

    #[test]
    fn new_limits_have_their_documented_defaults() {
        let s = settings(&[]).expect("valid");
        assert_eq!(s.render.max_html_bytes, 512 * 1024);
        assert_eq!(s.render.cpu_budget, Duration::from_millis(1_000));
        assert_eq!(s.previews_per_minute, 60);
        assert_eq!(s.password_hashes, 0);
        assert!(!s.outbound.allow_loopback);
    }

    #[test]
    fn mail_needs_a_usable_smtp_url_and_a_sender() {
        assert!(settings(&[]).expect("valid").mail.is_none());
        let s = settings(&[
            ("AGORA_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("AGORA_MAIL_FROM", "agora <noreply@example.org>"),
        ])
        .expect("valid");
        assert_eq!(
            s.mail.map(|m| m.from.email.to_string()).as_deref(),
            Some("noreply@example.org")
        );
        let err = settings(&[("AGORA_SMTP_URL", "http://mail")]).unwrap_err();
        assert_eq!(err.name, "AGORA_SMTP_URL");
        let err = settings(&[("AGORA_SMTP_URL", "smtps://u:p@mail.example.org")]).unwrap_err();
        assert_eq!(err.name, "AGORA_MAIL_FROM");
    }

    #[test]
    fn unknown_log_level_names_the_setting() {
        let err = settings(&[("AGORA_LOG", "verbose")]).unwrap_err();
        assert_eq!(err.name, "AGORA_LOG");
        assert!(err.to_string().contains("verbose"));
        assert!(settings(&[("AGORA_LOG", "agora=debug,sqlx=warn")]).is_ok());
    }

    #[test]
    fn bad_database_url_names_the_setting() {
        let err = settings(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(err.name, "DATABASE_URL");
        let err = settings(&[("DATABASE_URL", "not a url")]).unwrap_err();
        assert_eq!(err.name, "DATABASE_URL");
    }

    #[test]
    fn bad_numbers_and_addresses_are_refused() {
        assert_eq!(
            settings(&[("AGORA_BIND", "localhost")]).unwrap_err().name,
            "AGORA_BIND"
        );
        assert_eq!(
            settings(&[("AGORA_BODY_LIMIT_KB", "lots")])
                .unwrap_err()
                .name,
            "AGORA_BODY_LIMIT_KB"
        );
    }

    #[test]
    fn uploads_stay_on_disk_unless_a_bucket_is_named() {
        assert!(settings(&[]).expect("valid").uploads.s3.is_none());
        let s = settings(&[
            ("AGORA_UPLOAD_S3_URL", "s3://forum-images/agora/uploads/"),
            ("AGORA_UPLOAD_S3_ENDPOINT", "https://s3.example.org/"),
            ("AGORA_UPLOAD_S3_KEY_ID", "key"),
            ("AGORA_UPLOAD_S3_SECRET", "hunter2"),
        ])
        .expect("valid");
        let s3 = s.uploads.s3.expect("a bucket");
        assert_eq!(
            (s3.bucket.as_str(), s3.prefix.as_str(), s3.region.as_str()),
            ("forum-images", "agora/uploads", "us-east-1")
        );
        assert_eq!(s3.endpoint.as_deref(), Some("https://s3.example.org"));
        assert!(!format!("{s3:?}").contains("hunter2"));
    }

    #[test]
    fn a_bad_bucket_setting_names_its_line() {
        let name = |pairs: &[(&str, &str)]| settings(pairs).unwrap_err().name;
        assert_eq!(
            name(&[("AGORA_UPLOAD_S3_URL", "forum-images")]),
            "AGORA_UPLOAD_S3_URL"
        );
        assert_eq!(
            name(&[("AGORA_UPLOAD_S3_URL", "https://b")]),
            "AGORA_UPLOAD_S3_URL"
        );
        let http = [
            ("AGORA_UPLOAD_S3_URL", "s3://b"),
            ("AGORA_UPLOAD_S3_ENDPOINT", "http://127.0.0.1:9000"),
        ];
        let err = settings(&http).unwrap_err();
        assert_eq!(err.name, "AGORA_UPLOAD_S3_ENDPOINT");
        assert!(
            err.to_string().contains("AGORA_UPLOAD_S3_ALLOW_HTTP"),
            "{err}"
        );
        let mut allowed = http.to_vec();
        allowed.push(("AGORA_UPLOAD_S3_ALLOW_HTTP", "true"));
        assert!(settings(&allowed).is_ok());
        assert_eq!(
            name(&[
                ("AGORA_UPLOAD_S3_URL", "s3://b"),
                ("AGORA_UPLOAD_S3_KEY_ID", "k")
            ]),
            "AGORA_UPLOAD_S3_SECRET"
        );
    }
}

/// What the AI module needs from the forum's settings (built by [`Settings::from_env`]).
#[derive(Debug, Clone)]
pub struct AiSettings {
    /// `ORT_DYLIB_PATH`: the libonnxruntime.so to load; `None` means "not configured".
    pub ort_dylib_path: Option<PathBuf>,
    /// `AGORA_MODEL_DIR`: holds model.onnx, tokenizer.json, config.json.
    pub model_dir: PathBuf,
    /// `AGORA_AI_THREADS`: inference threads (each owns a session).
    pub threads: usize,
    /// `AGORA_AI_QUEUE`: requests that may wait before callers get "busy".
    pub queue_capacity: usize,
    /// `AGORA_AI_DEADLINE_SECS`: wall-clock limit for one generation.
    pub deadline: Duration,
}
