//! The one door every request-driven password hash goes through: at most `concurrent` argon2
//! hashes at once (each takes 19 MiB and a core for ~50 ms), a short queue behind them, and a
//! "busy" answer (503 with `Retry-After`) past the queue, so a flood of log-ins costs a bounded
//! amount of memory instead of one hash per request.
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::password;
use crate::error::AppError;

/// Requests allowed to wait per running hash before new ones are told to come back.
const QUEUE_PER_PERMIT: usize = 8;
/// Longest a request waits for its turn.
const MAX_WAIT: Duration = Duration::from_secs(10);
/// What a busy answer tells the client.
const RETRY_AFTER_SECS: u64 = 2;

#[derive(Debug)]
pub struct HashGate {
    permits: Semaphore,
    capacity: usize,
    /// Requests holding a [`Ticket`]: running or waiting.
    admitted: AtomicUsize,
    performed: AtomicU64,
    refused: AtomicU64,
}

/// A place in the queue, taken once the request's rate limits let it through (so a flood against
/// one account is answered 429 before it can fill the queue). Dropping it gives the place back.
pub struct Ticket {
    gate: Arc<HashGate>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.gate.admitted.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HashGate {
    /// `concurrent` hashes at once (0 means one per CPU core).
    pub fn new(concurrent: usize) -> Arc<Self> {
        let concurrent = if concurrent == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            concurrent
        };
        Arc::new(HashGate {
            permits: Semaphore::new(concurrent),
            capacity: concurrent * (1 + QUEUE_PER_PERMIT),
            admitted: AtomicUsize::new(0),
            performed: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        })
    }

    /// A place in the queue, or `Busy` when it is full.
    pub fn enter(self: &Arc<Self>) -> Result<Ticket, AppError> {
        let before = self.admitted.fetch_add(1, Ordering::SeqCst);
        let ticket = Ticket { gate: self.clone() };
        if before >= self.capacity {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(busy());
        }
        Ok(ticket)
    }

    /// Password hashes computed since start (verifications included).
    pub fn performed(&self) -> u64 {
        self.performed.load(Ordering::Relaxed)
    }

    /// Requests answered "busy" since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        match tokio::time::timeout(MAX_WAIT, self.permits.acquire()).await {
            Ok(Ok(permit)) => {
                self.performed.fetch_add(1, Ordering::Relaxed);
                Ok(permit)
            }
            _ => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                Err(busy())
            }
        }
    }
}

impl Ticket {
    /// [`password::verify`] in turn.
    pub async fn verify(self, secret: String, phc: Option<String>) -> Result<bool, AppError> {
        let _permit = self.gate.turn().await?;
        Ok(password::verify(secret, phc).await)
    }

    /// [`password::hash`] in turn.
    pub async fn hash(self, secret: String) -> Result<String, AppError> {
        let _permit = self.gate.turn().await?;
        password::hash(secret)
            .await
            .map_err(|e| AppError::Internal(e.into()))
    }
}

/// Makes the allocator hand large buffers (an argon2 hash's 19 MiB) back to the system when they
/// are freed. glibc otherwise raises its mmap threshold after the first such free and keeps every
/// later one in the freeing thread's arena: a log-in flood then left the server ~200 MiB larger for
/// good, with at most a few hashes ever alive at once (`benches/hostile_load.rs`).
pub fn return_large_buffers_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; 1 MiB is a valid threshold.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

fn busy() -> AppError {
    AppError::Busy {
        retry_after_secs: RETRY_AFTER_SECS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_turns_requests_away_when_full() {
        let gate = HashGate::new(1);
        let tickets: Vec<Ticket> = (0..gate.capacity)
            .map(|_| gate.enter().expect("room in the queue"))
            .collect();
        assert!(matches!(gate.enter(), Err(AppError::Busy { .. })));
        assert_eq!(gate.refused(), 1);
        drop(tickets);
        assert!(gate.enter().is_ok());
    }
}
