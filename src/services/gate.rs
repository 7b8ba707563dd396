//! The one gate every write passes first: a silenced member is refused, then the rules engine decides
//! (block, hold, flag). Its refusals are domain errors; `web::refusal` turns them into the page that
//! gives the author their text back (403 silenced, 422 a rule, 429 a rate limit with `Retry-After`).
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppError;
use crate::moderation::{Action, Content, Refusal, Target, Verdict};

/// Who writes, and from which address (per-address rate limits count it).
#[derive(Debug, Clone, Copy)]
pub struct Writer<'a> {
    pub user: &'a CurrentUser,
    pub ip: &'a str,
}

impl<'a> Writer<'a> {
    pub fn new(user: &'a CurrentUser, ip: &'a str) -> Self {
        Writer { user, ip }
    }
}

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

/// Silence, then rules. `Ok` carries the verdict the write must honour (held, flagged) and hand to
/// [`after_write`] once the content is stored.
pub async fn gate(
    app: &App,
    writer: Writer<'_>,
    action: Action,
    content: Content<'_>,
) -> Result<Verdict, WriteError> {
    refuse_if_silenced(app, writer.user).await?;
    super::email_verification::refuse_if_unconfirmed(app, writer.user).await?;
    rules(app, writer, action, content).await
}

/// The rules half of the gate alone, for a write that checked silence itself before a budget of
/// its own (resource submissions).
pub async fn rules(
    app: &App,
    writer: Writer<'_>,
    action: Action,
    content: Content<'_>,
) -> Result<Verdict, WriteError> {
    let verdict =
        crate::moderation::check(&app.db, writer.user, writer.ip, action, &content).await?;
    match verdict.refusal() {
        Some(refusal) => Err(WriteError::Refused(refusal.clone())),
        None => Ok(verdict),
    }
}

/// The silence half of the gate alone, for writes the rules do not look at (summary drafts, bot asks).
pub async fn refuse_if_silenced(app: &App, user: &CurrentUser) -> Result<(), WriteError> {
    match db::moderation::silenced_until(&app.db, user.id).await? {
        Some(until) => Err(WriteError::Silenced { until }),
        None => Ok(()),
    }
}

/// After the content is stored: the verdict's hits are logged against it, holds and flags applied.
pub async fn after_write(
    app: &App,
    writer: Writer<'_>,
    verdict: &Verdict,
    target: Target,
) -> Result<(), WriteError> {
    crate::moderation::after_write(&app.db, writer.user, verdict, target).await?;
    Ok(())
}
