//! The one gate every write passes first: a silenced member is refused, then the rules engine decides
//! (block, hold, flag). Its refusals are domain errors; `web::refusal` turns them into the page that
//! gives the author their text back (403 silenced, 422 a rule, 429 a rate limit with `Retry-After`).
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db;
use crate::moderation::{Action, Content, Target, Verdict};

pub use super::write_error::{Unavailable, WriteError};

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
