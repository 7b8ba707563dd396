//! The rules engine: every create and edit of posts, comments, profiles (and resources) asks
//! [`check`] first and, once the content is stored, tells [`after_write`] where it went.
//!
//! Staff are exempt. Content rules (banned words, regex, links, images) read the title and body;
//! "hold new" counts the author's posts; rate limits count actions per member or per address in
//! `rate_limit_hits` (shared by every app instance). Blocks are logged as hits at once; holds and
//! flags when [`after_write`] knows the stored target.
use std::time::Duration;

use super::rules::{content_breaks, Action, Rule, RuleAction, RuleKind, Scope};
use crate::auth::rate_limit::{self, Budget};
use crate::auth::CurrentUser;
use crate::db::{self, Db};
use crate::domain::PostStatus;
use crate::error::AppError;

/// The text a write carries (empty for votes and flags).
#[derive(Debug, Clone, Copy, Default)]
pub struct Content<'a> {
    pub title: &'a str,
    pub body: &'a str,
}

impl<'a> Content<'a> {
    pub fn new(title: &'a str, body: &'a str) -> Self {
        Content { title, body }
    }

    pub fn body(body: &'a str) -> Self {
        Content { title: "", body }
    }
}

/// Where stored content went, for logging hits and filing flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Post(i64),
    Comment(i64),
    /// A profile (bio).
    User(i64),
    Resource(i64),
    /// A comment on a resource (stored `pending` by its caller when held).
    ResourceComment(i64),
    /// An event (stored `pending` by its caller when held).
    Event(i64),
}

impl Target {
    fn kind_and_id(self) -> (&'static str, i64) {
        match self {
            Target::Post(id) => ("post", id),
            Target::Comment(id) => ("comment", id),
            Target::User(id) => ("user", id),
            Target::Resource(id) => ("resource", id),
            Target::ResourceComment(id) => ("resource_comment", id),
            Target::Event(id) => ("event", id),
        }
    }
}

/// Why a write was refused: the rule's public description, and when to retry for a rate limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule_id: i64,
    pub description: String,
    pub retry_after_secs: Option<u64>,
}

/// A rule that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule_id: i64,
    pub description: String,
    pub action: RuleAction,
}

/// What the rules decided about one write.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    refusal: Option<Refusal>,
    hits: Vec<Hit>,
    action_name: &'static str,
}

impl Verdict {
    /// Nothing matched (or the writer is staff).
    pub fn allow() -> Verdict {
        Verdict::default()
    }

    /// `Some` when the write must not happen; the caller shows the form again with its text.
    pub fn refusal(&self) -> Option<&Refusal> {
        self.refusal.as_ref()
    }

    /// The content is stored but waits for review (`pending`).
    pub fn is_held(&self) -> bool {
        self.hits.iter().any(|h| h.action == RuleAction::Hold)
    }

    pub fn is_flagged(&self) -> bool {
        self.hits.iter().any(|h| h.action == RuleAction::Flag)
    }

    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    /// The status a new post gets: `pending` instead of `published` when held (drafts stay drafts).
    pub fn post_status(&self, wanted: PostStatus) -> PostStatus {
        if self.is_held() && wanted == PostStatus::Published {
            PostStatus::Pending
        } else {
            wanted
        }
    }
}

/// Applies the enabled rules to a write by `user` from address `ip`. A refusal is logged here; the
/// rate-limit counters are advanced only for writes that go ahead.
pub async fn check(
    db: &Db,
    user: &CurrentUser,
    ip: &str,
    action: Action,
    content: &Content<'_>,
) -> Result<Verdict, AppError> {
    if user.is_staff() {
        return Ok(Verdict::allow());
    }
    let rules: Vec<Rule> = db::rules::enabled(db)
        .await?
        .into_iter()
        .filter(|r| r.applies_to_level(user.trust_level))
        .collect();
    if rules.is_empty() {
        return Ok(Verdict::allow());
    }
    let text = if content.title.is_empty() {
        content.body.to_string()
    } else {
        format!("{}\n{}", content.title, content.body)
    };
    let mut hits: Vec<(Hit, Option<u64>)> = Vec::new();
    let mut budgets = Vec::new();
    let mut posts_written = None;
    for rule in &rules {
        let hit = |retry| {
            (
                Hit {
                    rule_id: rule.id,
                    description: rule.description.clone(),
                    action: rule.action,
                },
                retry,
            )
        };
        match rule.kind {
            RuleKind::RateLimit => {
                if action.counted_as() != Some(rule.applies_to) {
                    continue;
                }
                let who = match rule.scope {
                    Scope::User => user.id.to_string(),
                    Scope::Ip => ip.to_string(),
                };
                let bucket = format!("rule:{}:{}:{who}", rule.id, rule.scope.as_str());
                let budget = Budget {
                    bucket: &bucket,
                    limit: u32::try_from(rule.max_count).unwrap_or(u32::MAX),
                    window: Duration::from_secs(u64::try_from(rule.window_secs).unwrap_or(0)),
                };
                match rate_limit::check(db, &budget).await {
                    Ok(()) => budgets.push(bucket),
                    Err(AppError::RateLimited { retry_after_secs }) => {
                        hits.push(hit(Some(retry_after_secs)));
                    }
                    Err(e) => return Err(e),
                }
            }
            RuleKind::HoldNew => {
                if action != Action::CreatePost {
                    continue;
                }
                let written = match posts_written {
                    Some(n) => n,
                    None => *posts_written.insert(db::rules::posts_written(db, user.id).await?),
                };
                if written < rule.max_count {
                    hits.push(hit(None));
                }
            }
            _ => {
                if action.has_content() && content_breaks(rule, &text) {
                    hits.push(hit(None));
                }
            }
        }
    }
    if let Some((block, retry)) = hits.iter().find(|(h, _)| h.action == RuleAction::Block) {
        for (hit, _) in hits.iter().filter(|(h, _)| h.action == RuleAction::Block) {
            db::rules::record_hit(
                db,
                db::rules::NewHit {
                    rule_id: hit.rule_id,
                    user_id: user.id,
                    action: action.as_str(),
                    outcome: "block",
                    target_kind: None,
                    target_id: None,
                },
            )
            .await?;
        }
        return Ok(Verdict {
            refusal: Some(Refusal {
                rule_id: block.rule_id,
                description: block.description.clone(),
                retry_after_secs: *retry,
            }),
            hits: Vec::new(),
            action_name: action.as_str(),
        });
    }
    for bucket in &budgets {
        rate_limit::record(db, bucket).await?;
    }
    Ok(Verdict {
        refusal: None,
        hits: hits.into_iter().map(|(h, _)| h).collect(),
        action_name: action.as_str(),
    })
}

/// After the content is stored: logs the hits against it, holds a published post or comment that a
/// hold rule matched (a profile cannot wait for review, so a hold on a bio files a flag instead), and
/// opens one flag from the rules' system account for flag rules.
pub async fn after_write(
    db: &Db,
    user: &CurrentUser,
    verdict: &Verdict,
    target: Target,
) -> Result<(), AppError> {
    if verdict.hits.is_empty() {
        return Ok(());
    }
    let (kind, id) = target.kind_and_id();
    for hit in &verdict.hits {
        db::rules::record_hit(
            db,
            db::rules::NewHit {
                rule_id: hit.rule_id,
                user_id: user.id,
                action: verdict.action_name,
                outcome: hit.action.as_str(),
                target_kind: Some(kind),
                target_id: Some(id),
            },
        )
        .await?;
    }
    let mut flag = verdict.is_flagged();
    if verdict.is_held() {
        match target {
            Target::Post(id) => db::rules::hold_post(db, id).await?,
            Target::Comment(id) => db::rules::hold_comment(db, id).await?,
            Target::User(_) => flag = true,
            Target::Resource(_) | Target::ResourceComment(_) | Target::Event(_) => {}
        }
    }
    if flag
        && matches!(
            target,
            Target::Post(_) | Target::Comment(_) | Target::User(_) | Target::Event(_)
        )
    {
        let note: Vec<&str> = verdict
            .hits
            .iter()
            .map(|h| h.description.as_str())
            .collect();
        let note: String = note.join(" · ").chars().take(500).collect();
        db::rules::open_flag(db, kind, id, &note).await?;
    }
    Ok(())
}
