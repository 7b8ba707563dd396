//! The pool handle every query goes through. It counts statements (so a test can hold a page to a
//! constant number of them whatever its data) and puts a deadline on reads, so one slow query answers
//! "busy" instead of holding a pooled connection while every other page waits for it.
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, Stream};
use sqlx::any::{Any, AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::{AnyPool, Describe, Either, Error, Execute, Executor};

/// A pool of connections plus the statement counter it shares with its sibling pool and, for
/// readers, the longest a statement may take (pool wait included).
#[derive(Clone, Debug)]
pub struct Pool {
    inner: AnyPool,
    statements: Arc<AtomicU64>,
    /// The writer's own count (statements sent through the write pool).
    writes: Option<Arc<AtomicU64>>,
    deadline: Option<Duration>,
}

impl Pool {
    pub(super) fn new(
        inner: AnyPool,
        statements: Arc<AtomicU64>,
        deadline: Option<Duration>,
    ) -> Self {
        Self {
            inner,
            statements,
            writes: None,
            deadline,
        }
    }

    /// Also counts this pool's statements in `writes` (the write pool).
    pub(super) fn counting_writes(mut self, writes: Arc<AtomicU64>) -> Self {
        self.writes = Some(writes);
        self
    }

    pub(super) fn inner(&self) -> &AnyPool {
        &self.inner
    }

    fn counted(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        if let Some(writes) = &self.writes {
            writes.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The error a read gets when it runs past its deadline; `error::is_busy` recognises it.
fn deadline_passed() -> Error {
    Error::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the query ran past its deadline",
    ))
}

/// A stream that ends with [`deadline_passed`] once its timer fires. Dropping the inner stream
/// hands the connection back; on PostgreSQL `statement_timeout` stops the server's side too.
struct Deadline<'e, T> {
    inner: BoxStream<'e, Result<T, Error>>,
    timer: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl<T> Stream for Deadline<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = this.inner.as_mut().poll_next(cx) {
            return Poll::Ready(item);
        }
        if this.timer.as_mut().poll(cx).is_ready() {
            this.expired = true;
            return Poll::Ready(Some(Err(deadline_passed())));
        }
        Poll::Pending
    }
}

fn with_deadline<'e, T: Send + 'e>(
    stream: BoxStream<'e, Result<T, Error>>,
    deadline: Option<Duration>,
) -> BoxStream<'e, Result<T, Error>> {
    match deadline {
        None => stream,
        Some(limit) => Box::pin(Deadline {
            inner: stream,
            timer: Box::pin(tokio::time::sleep(limit)),
            expired: false,
        }),
    }
}

impl<'p> Executor<'p> for &'_ Pool {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        self.counted();
        with_deadline((&self.inner).fetch_many(query), self.deadline)
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<AnyRow>, Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        self.counted();
        let future = (&self.inner).fetch_optional(query);
        match self.deadline {
            None => future,
            Some(limit) => Box::pin(async move {
                tokio::time::timeout(limit, future)
                    .await
                    .unwrap_or_else(|_| Err(deadline_passed()))
            }),
        }
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement<'q>, Error>> {
        (&self.inner).prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Any>, Error>> {
        (&self.inner).describe(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::any::AnyPoolOptions;

    async fn memory_pool(deadline: Option<Duration>) -> Pool {
        sqlx::any::install_default_drivers();
        let inner = AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        Pool::new(inner, Arc::new(AtomicU64::new(0)), deadline)
    }

    /// A query that keeps SQLite busy for seconds before its one row comes back.
    const SLOW: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                        WHERE i < 30000000) SELECT COUNT(*) FROM n";

    #[tokio::test]
    async fn a_read_past_its_deadline_answers_busy_on_time() {
        let pool = memory_pool(Some(Duration::from_millis(200))).await;
        let started = std::time::Instant::now();
        let error = sqlx::query_scalar::<_, i64>(SLOW)
            .fetch_one(&pool)
            .await
            .expect_err("the slow query is cut off");
        assert!(crate::error::is_busy(&error), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
        let Err(error) = sqlx::query(SLOW).fetch_all(&pool).await else {
            panic!("the slow query is cut off when streamed too");
        };
        assert!(crate::error::is_busy(&error), "{error:?}");
    }

    #[tokio::test]
    async fn statements_are_counted_once_each() {
        let pool = memory_pool(None).await;
        sqlx::query("SELECT 1").execute(&pool).await.expect("one");
        sqlx::query("SELECT 1").fetch_all(&pool).await.expect("two");
        sqlx::query("SELECT 1")
            .fetch_one(&pool)
            .await
            .expect("three");
        assert_eq!(pool.statements.load(Ordering::Relaxed), 3);
    }
}
