//! Why a write did not happen: the one refusal type every service returns, below the gate and the
//! services that build on it, so the renderer, mail and settings can name it without the gate.
use crate::error::AppError;
use crate::moderation::Refusal;

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The member is silenced (read-only) until this time.
    #[error("silenced until {until}")]
    Silenced { until: i64 },
    /// A rule blocked it (a rate limit carries when to retry).
    #[error("refused by rule {}", .0.rule_id)]
    Refused(Refusal),
    /// The input broke a limit the service enforces (a field and a catalog key).
    #[error("invalid {field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    /// The rendered text would pass the operator's size or CPU-time limit.
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    /// The input's length is outside `min..=max` characters (the message names the bounds).
    #[error("{field} must be {min} to {max} characters")]
    Length {
        field: &'static str,
        key: &'static str,
        min: usize,
        max: usize,
    },
    /// A member's or the site's budget for this write is spent (the message names the wait).
    #[error("over budget; retry in {retry_after_secs} s")]
    OverBudget {
        key: &'static str,
        retry_after_secs: u64,
    },
    /// The feature cannot take it now.
    #[error("unavailable: {0:?}")]
    Unavailable(Unavailable),
    /// Nothing to refuse: storage or another part failed.
    #[error(transparent)]
    Failed(#[from] AppError),
}

/// Why an AI feature cannot take a write now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// An admin turned the feature off; `key` is the catalog message saying which.
    FeatureOff { key: &'static str },
    /// The AI is off, in the operator's words.
    AiOff { reason: String },
    /// The model's queue is full; about this many seconds until it has room.
    Busy { secs: u64 },
}

impl From<sqlx::Error> for WriteError {
    fn from(e: sqlx::Error) -> Self {
        WriteError::Failed(AppError::Db(e))
    }
}
