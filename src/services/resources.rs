//! Resource listings: submitting an entry (listed at once for trusted members, otherwise waiting for
//! review) and staff reviewing it. The same gate as posts applies: a block names the rule and keeps
//! the form, a hold sends even a trusted member's entry to review.
use std::time::Duration;

use super::gate::{after_write, WriteError, Writer};
use super::{index, link_check, render};
use crate::app::App;
use crate::auth::rate_limit::{self, Budget};
use crate::auth::{policy, CurrentUser};
use crate::db;
use crate::db::resources::{CreateError, DuplicateOf, NewResource, Review};
use crate::domain::{Level, ResourceInput, ResourceStatus};
use crate::moderation::{Action, Content, Target};
use crate::render::RENDERER_VERSION;

/// Submissions one member may make per hour.
const SUBMISSIONS_PER_HOUR: u32 = 10;

/// What a submission came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submission {
    /// Listed at once.
    Listed(i64),
    /// Waits for review on `/admin/resources`.
    Pending(i64),
    /// The address or identifier is listed already, as this entry.
    Duplicate(DuplicateOf),
}

/// Submits an entry.
pub async fn submit(
    app: &App,
    writer: Writer<'_>,
    input: &ResourceInput,
) -> Result<Submission, WriteError> {
    let content = Content::new(&input.title, &input.description);
    // Silence first, then the per-member submission budget, then the rules.
    super::gate::refuse_if_silenced(app, writer.user).await?;
    let bucket = format!("resource:user:{}", writer.user.id);
    let budget = Budget {
        bucket: &bucket,
        limit: SUBMISSIONS_PER_HOUR,
        window: Duration::from_secs(3600),
    };
    rate_limit::check(&app.db, &budget).await?;
    let verdict = super::gate::rules(app, writer, Action::CreateResource, content).await?;
    let rendered = render::post(app, &input.description).await?;
    let status = if policy::may_list_without_review(writer.user) && !verdict.is_held() {
        ResourceStatus::Approved
    } else {
        ResourceStatus::Pending
    };
    let new = to_store(input, &rendered, writer.user.id, status);
    let id = match db::resources::create(&app.db, &new).await {
        Ok(id) => id,
        Err(CreateError::Duplicate(dup)) => return Ok(Submission::Duplicate(dup)),
        Err(CreateError::Db(e)) => return Err(e.into()),
    };
    rate_limit::record(&app.db, &bucket).await?;
    after_write(app, writer, &verdict, Target::Resource(id)).await?;
    if status == ResourceStatus::Approved {
        index::resource_changed(app, id).await;
        link_check::queue(app, id).await;
        Ok(Submission::Listed(id))
    } else {
        Ok(Submission::Pending(id))
    }
}

/// The row a valid input becomes.
fn to_store<'a>(
    input: &'a ResourceInput,
    rendered: &'a crate::render::Rendered,
    submitted_by: i64,
    status: ResourceStatus,
) -> NewResource<'a> {
    NewResource {
        kind: input.kind.as_str(),
        title: &input.title,
        url: &input.url.url,
        url_key: &input.url.key,
        authors: &input.authors,
        year: input.year,
        identifier: input.identifier.as_ref().map(|i| i.display()),
        identifier_key: input.identifier.as_ref().map(|i| i.key()),
        level: input.level.map(Level::as_str),
        language: &input.language,
        licence: &input.licence,
        description_md: &input.description,
        description_html: &rendered.html,
        description_text: &rendered.text,
        renderer_version: RENDERER_VERSION,
        tags: input.tags.names(),
        submitted_by,
        status: status.as_str(),
    }
}

/// What an edit came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// Saved; the entry keeps its place (listed stays listed).
    Saved,
    /// Saved, and the entry went back to review: the editor is below the trust threshold
    /// ([`policy::may_list_without_review`]) or a hold rule matched.
    BackToReview,
    /// Another entry holds the new address or identifier.
    Duplicate(DuplicateOf),
}

/// Edits an entry (the caller checked [`policy::may_edit_resource`]): gate, render, store with a
/// revision (who, when, what changed), reindex, and a link check when the address changed.
pub async fn edit(
    app: &App,
    writer: Writer<'_>,
    before: &db::resources::ResourceRecord,
    input: &ResourceInput,
) -> Result<Edited, WriteError> {
    let content = Content::new(&input.title, &input.description);
    let verdict = super::gate::gate(app, writer, Action::EditResource, content).await?;
    let rendered = render::post(app, &input.description).await?;
    let trusted = policy::may_list_without_review(writer.user) && !verdict.is_held();
    let status = if trusted {
        before.status
    } else {
        ResourceStatus::Pending
    };
    let new = to_store(input, &rendered, before.submitted_by, status);
    match db::resource_revisions::update(&app.db, before, &new, writer.user.id).await {
        Ok(()) => {}
        Err(CreateError::Duplicate(dup)) => return Ok(Edited::Duplicate(dup)),
        Err(CreateError::Db(e)) => return Err(e.into()),
    }
    after_write(app, writer, &verdict, Target::Resource(before.id)).await?;
    index::resource_changed(app, before.id).await;
    if status == ResourceStatus::Approved && before.url != input.url.url {
        link_check::queue(app, before.id).await;
    }
    Ok(if trusted {
        Edited::Saved
    } else {
        Edited::BackToReview
    })
}

/// Staff approve or reject a waiting entry (audited; a rejection carries its reason). `false` when
/// it was not waiting.
pub async fn review(
    app: &App,
    actor: &CurrentUser,
    id: i64,
    approve: bool,
    reason: &str,
) -> Result<bool, WriteError> {
    let review = Review {
        id,
        actor_id: actor.id,
        approve,
        reason,
    };
    if !db::resources::review(&app.db, review).await? {
        return Ok(false);
    }
    index::resource_changed(app, id).await;
    if approve {
        link_check::queue(app, id).await;
    }
    Ok(true)
}

/// Queues a check of every listed entry's link.
pub async fn check_all_links(app: &App) -> Result<(), WriteError> {
    for id in db::resources::approved_ids(&app.db).await? {
        link_check::queue(app, id).await;
    }
    Ok(())
}
