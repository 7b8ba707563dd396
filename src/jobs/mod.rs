//! Background work: a registry of job kinds and a worker loop that leases jobs from the database
//! queue (`db::jobs`), runs them off the request path, and retries failures with back-off. Which kinds
//! an instance runs is decided in one place above this floor, `services::jobs::registry`.
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;

use crate::db::{self, Db, DbError};

/// What a job kind does with its payload (JSON text); an `Err` is recorded and the job retried.
pub type Handler = Arc<dyn Fn(String) -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// The job kinds this instance can run.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

impl Registry {
    pub fn register(&mut self, kind: &'static str, handler: Handler) {
        self.handlers.insert(kind, handler);
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }
}

/// The payload of a job about one post.
pub fn post_payload(post_id: i64) -> String {
    serde_json::json!({ "post_id": post_id }).to_string()
}

/// Seconds to wait before attempt `attempts + 1`: 10 s, 20 s, 40 s ... capped at an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 12) - 1;
    (10_i64 << exponent).min(3600)
}

/// One worker: leases a job at a time. Several workers (in one or many instances) share the queue.
pub struct Worker {
    db: Db,
    registry: Registry,
    name: String,
    lease_secs: i64,
}

impl Worker {
    pub fn new(db: Db, registry: Registry, name: impl Into<String>, lease_secs: i64) -> Self {
        Worker {
            db,
            registry,
            name: name.into(),
            lease_secs,
        }
    }

    /// Runs at most one job; returns whether there was one.
    pub async fn run_once(&self) -> Result<bool, DbError> {
        if self.registry.is_empty() {
            return Ok(false);
        }
        let kinds = self.registry.kinds();
        let Some(job) = db::jobs::lease(&self.db, &self.name, self.lease_secs, &kinds).await?
        else {
            return Ok(false);
        };
        let Some(handler) = self.registry.handlers.get(job.kind.as_str()).cloned() else {
            db::jobs::fail(
                &self.db,
                job.id,
                &self.name,
                "no handler for this kind",
                3600,
            )
            .await?;
            return Ok(true);
        };
        // A panicking job must not take the worker down with it.
        let outcome = AssertUnwindSafe(handler(job.payload.clone()))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err("the job panicked".into()));
        match outcome {
            Ok(()) => {
                db::jobs::complete(&self.db, job.id, &self.name).await?;
            }
            Err(error) => {
                tracing::warn!(job = job.id, kind = job.kind, attempt = job.attempts, %error, "job failed");
                let retry = backoff_secs(job.attempts);
                db::jobs::fail(&self.db, job.id, &self.name, &error, retry).await?;
            }
        }
        Ok(true)
    }

    /// Polls until the task is dropped: straight on while there is work, otherwise every `idle`.
    pub async fn run(self, idle: Duration) {
        loop {
            match self.run_once().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "job queue unavailable"),
            }
            tokio::time::sleep(idle).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(2), 20);
        assert_eq!(backoff_secs(3), 40);
        assert_eq!(backoff_secs(50), 3600);
    }
}
