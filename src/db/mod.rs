//! Storage: connection pools for SQLite (default) or PostgreSQL, migrations, and one file of queries per
//! aggregate. Queries are written once in SQL both backends accept (sqlx's `Any` driver, `$n` parameters,
//! integer times); where the backends differ, the one function that cares branches on [`Backend`].
pub mod account_tokens;
pub mod ai;
pub mod api_tokens;
pub mod badges;
pub mod bookmarks;
pub mod comments;
pub mod email_addresses;
pub mod events;
pub mod flags;
pub mod follows;
pub mod invites;
pub mod jobs;
pub mod list_queries;
pub mod marks;
pub mod mod_log;
pub mod moderation;
pub mod notification_mail;
pub mod notifications;
pub mod outbox;
pub mod personal_data;
pub mod plans;
pub mod pool;
pub mod posts;
pub mod profiles;
pub mod rate_limits;
pub mod reports;
pub mod reputation;
pub mod resource_comments;
pub mod resource_revisions;
pub mod resources;
pub mod rules;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod stats;
pub mod trust;
pub mod two_factor;
pub mod uploads;
pub mod users;
pub mod votes;
pub mod webhooks;

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};

pub use pool::Pool;
pub use sqlx::Error as DbError;

/// How long statements may take. Reads past `read_deadline` (waiting for a connection included)
/// answer "busy"; PostgreSQL also cancels any statement past it on the server (`statement_timeout`);
/// a SQLite writer waits up to `busy_timeout` for the write lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    pub read_deadline: Duration,
    pub busy_timeout: Duration,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            read_deadline: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Which engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A `DATABASE_URL` that names a backend agora supports.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
    limits: QueryLimits,
}

impl DatabaseUrl {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let backend = if text.starts_with("sqlite:") {
            Backend::Sqlite
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(format!(
                "`{text}` is not a sqlite://path or postgres://host/db URL"
            ));
        };
        if backend == Backend::Postgres {
            url::Url::parse(text).map_err(|e| format!("`{text}` is not a valid URL: {e}"))?;
        } else if text
            .trim_start_matches("sqlite:")
            .trim_start_matches("//")
            .is_empty()
        {
            return Err("the SQLite URL names no file (use sqlite://data/agora.db)".into());
        }
        Ok(Self {
            url: text.to_string(),
            backend,
            limits: QueryLimits::default(),
        })
    }

    /// The same database with these statement time limits (from the settings).
    pub fn with_limits(mut self, limits: QueryLimits) -> Self {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> QueryLimits {
        self.limits
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn is_sqlite(&self) -> bool {
        self.backend == Backend::Sqlite
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The SQLite file this URL names (`None` for PostgreSQL or in-memory databases).
    pub fn sqlite_path(&self) -> Option<&Path> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let rest = self
            .url
            .trim_start_matches("sqlite:")
            .trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| Path::new(path))
    }
}

/// The pools every query goes through. On SQLite all writes share one connection (SQLite allows one writer
/// at a time; queueing in the pool beats retrying on SQLITE_BUSY) while reads use a pool; on PostgreSQL
/// both handles are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    read: Pool,
    write: Pool,
    statements: Arc<AtomicU64>,
    writes: Arc<AtomicU64>,
    limits: QueryLimits,
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

impl Db {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let limits = url.limits();
        let statements = Arc::new(AtomicU64::new(0));
        let writes = Arc::new(AtomicU64::new(0));
        let pools = |read: AnyPool, write: AnyPool, backend| Db {
            backend,
            read: Pool::new(read, statements.clone(), Some(limits.read_deadline)),
            write: Pool::new(write, statements.clone(), None).counting_writes(writes.clone()),
            statements: statements.clone(),
            writes: writes.clone(),
            limits,
        };
        match url.backend() {
            Backend::Sqlite => {
                if let Some(parent) = url.sqlite_path().and_then(Path::parent) {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).map_err(DbError::Io)?;
                    }
                }
                let base = with_query(url.as_str(), "mode=rwc");
                let write = sqlite_pool(&base, 1, limits).await?;
                // Create the file and switch to WAL before readers open it.
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(&write)
                    .await?;
                let read = sqlite_pool(&base, 8, limits).await?;
                Ok(pools(read, write, Backend::Sqlite))
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url.as_str())?;
                let timeout_ms = limits.read_deadline.as_millis();
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(move |conn, _| {
                        Box::pin(async move {
                            // The server cancels a runaway statement itself, so its backend is freed
                            // even after the client stopped waiting.
                            conn.execute(format!("SET statement_timeout = {timeout_ms}").as_str())
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?;
                Ok(pools(pool.clone(), pool, Backend::Postgres))
            }
        }
    }

    /// How many statements went through this database's pools since it was opened (tests compare
    /// the figure before and after a request; transactions are not counted).
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// How many statements went through the writer pool, plus write transactions begun, since the
    /// database was opened (a test of "reading writes nothing" holds this still).
    pub fn writes_run(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Pool for queries that only read.
    pub fn reader(&self) -> &Pool {
        &self.read
    }

    /// Pool for single-statement writes.
    pub fn writer(&self) -> &Pool {
        &self.write
    }

    /// A transaction for read-then-write work. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so the read it starts with cannot go stale before the write.
    pub async fn begin_write(&self) -> Result<Tx, DbError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        match self.backend {
            Backend::Sqlite => self.write.inner().begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.write.inner().begin().await,
        }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("migrations/sqlite")
                    .run(self.write.inner())
                    .await
            }
            Backend::Postgres => {
                // Building an index over a big table takes longer than any page may.
                let mut conn = self.unbounded().await?;
                let result = sqlx::migrate!("migrations/postgres").run(&mut *conn).await;
                self.release_unbounded(conn).await?;
                result
            }
        }
    }

    /// A writer connection without the statement time-out, for work that is slow by nature
    /// (migrations, bulk loads of bench databases). Give it back with [`Db::release_unbounded`].
    pub async fn unbounded(&self) -> Result<PoolConnection<Any>, DbError> {
        let mut conn = self.write.inner().acquire().await?;
        if self.backend == Backend::Postgres {
            conn.execute("SET statement_timeout = 0").await?;
        }
        Ok(conn)
    }

    /// Puts the statement time-out back on a connection from [`Db::unbounded`].
    pub async fn release_unbounded(&self, mut conn: PoolConnection<Any>) -> Result<(), DbError> {
        if self.backend == Backend::Postgres {
            let ms = self.limits.read_deadline.as_millis();
            conn.execute(format!("SET statement_timeout = {ms}").as_str())
                .await?;
        }
        Ok(())
    }

    /// A cheap round trip used by `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map(|_| ())
    }

    /// A consistent copy of a live SQLite database (`VACUUM INTO`); PostgreSQL has pg_dump for this.
    pub async fn backup_to(&self, target: &Path) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => {
                let target = target.to_string_lossy().to_string();
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(&self.write)
                    .await
                    .map(|_| ())
            }
            Backend::Postgres => Err(DbError::Configuration(
                "agora backup copies SQLite databases; use pg_dump for PostgreSQL".into(),
            )),
        }
    }

    pub async fn close(&self) {
        self.read.inner().close().await;
        self.write.inner().close().await;
    }
}

/// The most of an SQLite file each connection maps into memory (SQLite's default cap).
const MMAP_BYTES: i64 = 2_147_418_112;

async fn sqlite_pool(url: &str, max: u32, limits: QueryLimits) -> Result<AnyPool, DbError> {
    let options = AnyConnectOptions::from_str(url)?;
    let busy_ms = limits.busy_timeout.as_millis();
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        // No ping before each use: an SQLite connection is a file handle in this process, with no
        // server to lose it, and the ping was a round trip to the connection's thread for every
        // statement (5% of a signed-in topic page's time).
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                // Reads go through a shared memory map of the file (up to SQLite's 2 GiB cap) and a
                // 16 MiB page cache per connection, not the 2 MiB default: at a million posts a
                // search window or a list page reads pages spread over gigabytes, and each page read
                // was a system call.
                conn.execute(
                    format!(
                        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms}; \
                         PRAGMA synchronous = NORMAL; PRAGMA mmap_size = {MMAP_BYTES}; \
                         PRAGMA cache_size = -16384;"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
}

fn with_query(url: &str, param: &str) -> String {
    let key = param.split('=').next().unwrap_or(param);
    if url.contains(&format!("{key}=")) {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&{param}")
    } else {
        format!("{url}?{param}")
    }
}

/// `$first, $first+1, ...` for an `IN` list of `count` values.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Seconds since the Unix epoch, the one time format stored in the database.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        let url = DatabaseUrl::parse("sqlite://data/agora.db").expect("valid");
        assert_eq!(url.sqlite_path(), Some(Path::new("data/agora.db")));
        let url = DatabaseUrl::parse("sqlite:///tmp/x.db?mode=rwc").expect("valid");
        assert_eq!(url.sqlite_path(), Some(Path::new("/tmp/x.db")));
    }

    #[test]
    fn unsupported_schemes_are_refused() {
        assert!(DatabaseUrl::parse("mysql://localhost/x").is_err());
        assert!(DatabaseUrl::parse("postgres://user@127.0.0.1:5432/agora").is_ok());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }
}
