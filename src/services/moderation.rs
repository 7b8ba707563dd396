//! Moderation writes: a member's flag, staff acting on a post or comment, silencing a member,
//! deleting a spammer in one step and restoring exactly what that hid. Each change, its audit row
//! and the author's notification commit together (`db::moderation`, `db::flags`); here they are
//! followed by the search index and the AI work a published post gets. A moderator never lifts or
//! changes what an admin decided (`services::decisions`).
use std::time::Duration;

use super::decisions::{self, Decision};
use super::gate::{gate, WriteError, Writer};
use super::{index, settings};
use crate::app::App;
use crate::auth::rate_limit::{self, Budget};
use crate::auth::{policy, CurrentUser};
use crate::db;
use crate::db::flags::{FlagError, FlagOutcome, NewFlag};
use crate::db::moderation::{Acted, CommentAction, ModerationError, PostAction, Swept};
use crate::db::users::UserRecord;
use crate::domain::{FlagInput, FlagTarget};
use crate::error::AppError;
use crate::moderation::{Action, Content};

/// Flags one member may raise per hour.
const FLAGS_PER_HOUR: u32 = 30;

/// Why a flag was not stored.
#[derive(Debug, thiserror::Error)]
pub enum FlagRefusal {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("no such target")]
    NotFound,
    #[error("own content")]
    OwnContent,
    #[error("already flagged")]
    Duplicate,
}

impl From<AppError> for FlagRefusal {
    fn from(e: AppError) -> Self {
        FlagRefusal::Write(e.into())
    }
}

impl From<sqlx::Error> for FlagRefusal {
    fn from(e: sqlx::Error) -> Self {
        FlagRefusal::Write(e.into())
    }
}

/// A member flags a post, comment, event or account: the gate, the hourly budget, then the flag
/// (which may hide a post, comment or event once enough trusted members agree; the index follows).
pub async fn flag(
    app: &App,
    writer: Writer<'_>,
    target: FlagTarget,
    target_id: i64,
    input: &FlagInput,
) -> Result<FlagOutcome, FlagRefusal> {
    gate(app, writer, Action::Flag, Content::default()).await?;
    let bucket = format!("flag:user:{}", writer.user.id);
    let budget = Budget {
        bucket: &bucket,
        limit: FLAGS_PER_HOUR,
        window: Duration::from_secs(3600),
    };
    rate_limit::check(&app.db, &budget).await?;
    let threshold = settings::load(&app.db).await?.hide_threshold;
    let network = rate_limit::attributable_network(writer.ip);
    let new = NewFlag {
        target,
        target_id,
        reporter_id: writer.user.id,
        input,
        threshold,
        reporter_network: network.as_deref(),
    };
    let outcome = match db::flags::create(&app.db, new).await {
        Ok(outcome) => outcome,
        Err(FlagError::NotFound) => return Err(FlagRefusal::NotFound),
        Err(FlagError::OwnContent) => return Err(FlagRefusal::OwnContent),
        Err(FlagError::Duplicate) => return Err(FlagRefusal::Duplicate),
        Err(FlagError::Db(e)) => return Err(e.into()),
    };
    rate_limit::record(&app.db, &bucket).await?;
    if let Some(post_id) = outcome.post_id.filter(|_| outcome.hid) {
        index::post_changed(app, post_id).await;
    }
    if outcome.hid && target == FlagTarget::Event {
        index::event_changed(app, target_id).await;
    }
    let event = super::webhooks::Event::FlagRaised {
        flag_id: outcome.flag_id,
        target_kind: target.as_str(),
        target_id,
    };
    super::webhooks::emit(app, event).await;
    Ok(outcome)
}

/// Staff act on a post (approve, hide, delete, lock, pin, close, reopen ...). A post that review
/// publishes gets the summary it would have had.
pub async fn act_on_post(
    app: &App,
    actor: &CurrentUser,
    post_id: i64,
    action: PostAction,
    note: &str,
) -> Result<Acted, ModerationError> {
    if let Some(decision) = decisions::on_post(action) {
        if !owned(app, actor, decision, post_id).await? {
            return Err(ModerationError::AdminDecision);
        }
    }
    let acted = db::moderation::moderate_post(&app.db, actor.id, post_id, action, note).await?;
    index::post_changed(app, acted.post_id).await;
    super::summaries::queue_after_write(app, acted.post_id, false).await;
    Ok(acted)
}

/// Staff act on a comment (approve, hide, unhide, delete, restore).
pub async fn act_on_comment(
    app: &App,
    actor: &CurrentUser,
    comment_id: i64,
    action: CommentAction,
    note: &str,
) -> Result<Acted, ModerationError> {
    // Every comment action changes its status.
    if !owned(app, actor, Decision::CommentStatus, comment_id).await? {
        return Err(ModerationError::AdminDecision);
    }
    db::moderation::moderate_comment(&app.db, actor.id, comment_id, action, note).await
}

/// [`decisions::may_change`] with its storage error as a moderation error.
async fn owned(
    app: &App,
    actor: &CurrentUser,
    decision: Decision,
    id: i64,
) -> Result<bool, ModerationError> {
    match decisions::may_change(app, actor, decision, id).await {
        Ok(allowed) => Ok(allowed),
        Err(AppError::Db(e)) => Err(ModerationError::Db(e)),
        Err(_) => Ok(false),
    }
}

/// Staff redact revision `n` of a post (its text removed, audited). `false` when there is no such
/// revision or it was redacted already.
pub async fn redact_revision(
    app: &App,
    actor: &CurrentUser,
    post_id: i64,
    n: i64,
    reason: &str,
) -> Result<bool, WriteError> {
    if !policy::may_redact_revision(actor) {
        return Err(WriteError::Failed(AppError::Forbidden));
    }
    Ok(db::posts::revisions::redact(&app.db, actor.id, post_id, n, reason).await?)
}

/// Why staff may not act on a member (`policy::may_act_on_member`).
fn may_act(actor: &CurrentUser, user: &UserRecord) -> Result<(), WriteError> {
    if policy::may_act_on_member(actor, user) {
        Ok(())
    } else {
        Err(WriteError::Failed(AppError::Forbidden))
    }
}

/// [`may_act`], and the decision standing on the account is not an admin's (for a moderator).
async fn may_change(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    decision: Decision,
) -> Result<(), WriteError> {
    may_act(actor, user)?;
    if decisions::may_change(app, actor, decision, user.id).await? {
        Ok(())
    } else {
        Err(WriteError::Failed(AppError::Forbidden))
    }
}

/// Deletes a spammer in one step (suspended, signed out, everything hidden), recorded so it can be
/// undone exactly.
pub async fn sweep_spammer(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    reason: &str,
) -> Result<(), WriteError> {
    may_act(actor, user)?;
    let reason = if reason.is_empty() { "spam" } else { reason };
    let hidden = db::moderation::sweep_spammer(&app.db, actor.id, user.id, reason).await?;
    reindex(app, &hidden).await;
    Ok(())
}

/// Undoes the latest sweep. `false` when there was none.
pub async fn restore_spammer(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    reason: &str,
) -> Result<bool, WriteError> {
    may_change(app, actor, user, Decision::SpamSweep).await?;
    match db::moderation::restore_spammer(&app.db, actor.id, user.id, reason).await? {
        Some(restored) => {
            reindex(app, &restored).await;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Silences a member (read-only) until `until`.
pub async fn silence(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    until: i64,
    reason: &str,
) -> Result<(), WriteError> {
    may_change(app, actor, user, Decision::Silence).await?;
    db::moderation::silence(&app.db, actor.id, user.id, until, reason).await?;
    Ok(())
}

/// Lifts a silence.
pub async fn unsilence(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    reason: &str,
) -> Result<(), WriteError> {
    may_change(app, actor, user, Decision::Silence).await?;
    db::moderation::unsilence(&app.db, actor.id, user.id, reason).await?;
    Ok(())
}

/// Dismisses the open flags against a member's content.
pub async fn dismiss_flags(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    reason: &str,
) -> Result<(), WriteError> {
    may_act(actor, user)?;
    db::moderation::dismiss_user_flags(&app.db, actor.id, user.id, reason).await?;
    Ok(())
}

/// The search index follows what a sweep hid or brought back.
async fn reindex(app: &App, swept: &Swept) {
    for post_id in &swept.posts {
        index::post_changed(app, *post_id).await;
    }
    for resource_id in &swept.resources {
        index::resource_changed(app, *resource_id).await;
    }
    for event_id in &swept.events {
        index::event_changed(app, *event_id).await;
    }
}
