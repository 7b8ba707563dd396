//! Queries over `rules` and `rule_hits`: the rules the engine applies, the admin's changes (each with
//! its audit row in the same transaction), hits, the flags and holds rules cause, and the system
//! account that files those flags.
use sqlx::Row;

use super::mod_log::{self, NewAction};
use super::{now, Db, DbError};
use crate::domain::rules::{Counted, Rule, RuleAction, RuleKind, Scope};

const RULE_COLUMNS: &str = "id, kind, description, pattern, max_count, window_secs, below_trust, \
     applies_to, scope, action, enabled";

fn rule_from_row(row: &sqlx::any::AnyRow) -> Result<Rule, DbError> {
    let text = |name: &str| row.try_get::<String, _>(name);
    let bad = |what: &str| DbError::Decode(format!("unknown rule {what}").into());
    Ok(Rule {
        id: row.try_get("id")?,
        kind: RuleKind::parse(&text("kind")?).ok_or_else(|| bad("kind"))?,
        description: text("description")?,
        pattern: text("pattern")?,
        max_count: row.try_get("max_count")?,
        window_secs: row.try_get("window_secs")?,
        below_trust: row.try_get("below_trust")?,
        applies_to: Counted::parse(&text("applies_to")?).ok_or_else(|| bad("count"))?,
        scope: Scope::parse(&text("scope")?).ok_or_else(|| bad("scope"))?,
        action: RuleAction::parse(&text("action")?).ok_or_else(|| bad("action"))?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
    })
}

/// The rules the engine applies.
pub async fn enabled(db: &Db) -> Result<Vec<Rule>, DbError> {
    let sql = format!(
        "SELECT {RULE_COLUMNS} FROM rules WHERE enabled = 1 AND deleted_at IS NULL ORDER BY id"
    );
    let rows = sqlx::query(&sql).fetch_all(db.reader()).await?;
    rows.iter().map(rule_from_row).collect()
}

/// Every rule that is not deleted, with how often it hit.
pub async fn all_with_hits(db: &Db) -> Result<Vec<(Rule, i64)>, DbError> {
    let sql = format!(
        "SELECT {RULE_COLUMNS}, (SELECT COUNT(*) FROM rule_hits h WHERE h.rule_id = rules.id) AS hits \
         FROM rules WHERE deleted_at IS NULL ORDER BY id"
    );
    let rows = sqlx::query(&sql).fetch_all(db.reader()).await?;
    rows.iter()
        .map(|r| Ok((rule_from_row(r)?, r.try_get("hits")?)))
        .collect()
}

/// A rule that is not deleted.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Rule>, DbError> {
    let sql = format!("SELECT {RULE_COLUMNS} FROM rules WHERE id = $1 AND deleted_at IS NULL");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(rule_from_row).transpose()
}

fn summary(rule: &Rule) -> String {
    let text = format!(
        "{} {} {}: {} [{}] max {} window {}s below TL{} {} {}",
        if rule.enabled { "on" } else { "off" },
        rule.kind.as_str(),
        rule.action.as_str(),
        rule.description,
        rule.pattern,
        rule.max_count,
        rule.window_secs,
        rule.below_trust,
        rule.applies_to.as_str(),
        rule.scope.as_str(),
    );
    text.chars().take(500).collect()
}

/// Stores a new rule; returns its id.
pub async fn create_by(db: &Db, actor_id: i64, rule: &Rule) -> Result<i64, DbError> {
    let at = now();
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rules (kind, description, pattern, max_count, window_secs, below_trust, \
         applies_to, scope, action, enabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(rule.kind.as_str())
    .bind(&rule.description)
    .bind(&rule.pattern)
    .bind(rule.max_count)
    .bind(rule.window_secs)
    .bind(rule.below_trust)
    .bind(rule.applies_to.as_str())
    .bind(rule.scope.as_str())
    .bind(rule.action.as_str())
    .bind(i64::from(rule.enabled))
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    log_change(&mut tx, actor_id, "create_rule", id, &summary(rule)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a rule's settings.
pub async fn update_by(db: &Db, actor_id: i64, id: i64, rule: &Rule) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE rules SET kind = $1, description = $2, pattern = $3, max_count = $4, \
         window_secs = $5, below_trust = $6, applies_to = $7, scope = $8, action = $9, \
         enabled = $10, updated_at = $11 WHERE id = $12 AND deleted_at IS NULL",
    )
    .bind(rule.kind.as_str())
    .bind(&rule.description)
    .bind(&rule.pattern)
    .bind(rule.max_count)
    .bind(rule.window_secs)
    .bind(rule.below_trust)
    .bind(rule.applies_to.as_str())
    .bind(rule.scope.as_str())
    .bind(rule.action.as_str())
    .bind(i64::from(rule.enabled))
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    log_change(&mut tx, actor_id, "update_rule", id, &summary(rule)).await?;
    tx.commit().await
}

/// Switches a rule on or off.
pub async fn set_enabled_by(db: &Db, actor_id: i64, id: i64, enabled: bool) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE rules SET enabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(enabled))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let action = if enabled {
        "enable_rule"
    } else {
        "disable_rule"
    };
    log_change(&mut tx, actor_id, action, id, "").await?;
    tx.commit().await
}

/// Soft-deletes a rule: it stops applying and leaves the list; its hits stay.
pub async fn delete_by(db: &Db, actor_id: i64, id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE rules SET deleted_at = $1, enabled = 0 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    log_change(&mut tx, actor_id, "delete_rule", id, "").await?;
    tx.commit().await
}

async fn log_change(
    tx: &mut super::Tx,
    actor_id: i64,
    action: &str,
    id: i64,
    detail: &str,
) -> Result<(), DbError> {
    mod_log::record(
        tx,
        NewAction {
            actor_id,
            action,
            target_kind: "rule",
            target_id: Some(id),
            reason: "",
            detail,
        },
    )
    .await
}

/// One rule hit to log.
pub struct NewHit<'a> {
    pub rule_id: i64,
    pub user_id: i64,
    pub action: &'a str,
    pub outcome: &'a str,
    pub target_kind: Option<&'a str>,
    pub target_id: Option<i64>,
}

pub async fn record_hit(db: &Db, hit: NewHit<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO rule_hits (rule_id, user_id, action, outcome, target_kind, target_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hit.rule_id)
    .bind(hit.user_id)
    .bind(hit.action)
    .bind(hit.outcome)
    .bind(hit.target_kind)
    .bind(hit.target_id)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Posts (articles, questions, answers) the user has written, whatever became of them.
pub async fn posts_written(db: &Db, user_id: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM posts WHERE author_id = $1 AND kind IN ('article', 'question', 'answer')",
    )
    .bind(user_id)
    .fetch_one(db.reader())
    .await
}

/// Puts a published post on hold (after an edit a hold rule matched).
pub async fn hold_post(db: &Db, post_id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_optional(&mut *tx)
        .await?;
    if status.as_deref() == Some("published") {
        super::moderation::status::set_post_status_in(&mut tx, post_id, "pending").await?;
    }
    tx.commit().await
}

/// Puts a published comment on hold.
pub async fn hold_comment(db: &Db, comment_id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM comments WHERE id = $1")
        .bind(comment_id)
        .fetch_optional(&mut *tx)
        .await?;
    if status.as_deref() == Some("published") {
        super::moderation::status::set_comment_status_in(&mut tx, comment_id, "pending").await?;
    }
    tx.commit().await
}

/// Opens a flag ("needs attention", with the rules as the note) from the rules' system account; a
/// target it already flagged keeps its one flag.
pub async fn open_flag(
    db: &Db,
    target_kind: &str,
    target_id: i64,
    note: &str,
) -> Result<(), DbError> {
    let reporter = system_user_id(db).await?;
    sqlx::query(
        "INSERT INTO flags (target_kind, target_id, reporter_id, reason, note, status, created_at) \
         VALUES ($1, $2, $3, 'needs_attention', $4, 'open', $5) \
         ON CONFLICT (reporter_id, target_kind, target_id) DO NOTHING",
    )
    .bind(target_kind)
    .bind(target_id)
    .bind(reporter)
    .bind(note)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The username key of the rules' system account. It contains `#`, which no username may, so no
/// member can register it; its password hash `!` matches no password, so nobody can log in as it.
pub const SYSTEM_USERNAME_KEY: &str = "agora-rules#system";

/// The account rule flags are filed under, created on first use.
pub async fn system_user_id(db: &Db) -> Result<i64, DbError> {
    let find = || {
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE username_key = $1")
            .bind(SYSTEM_USERNAME_KEY)
            .fetch_optional(db.reader())
    };
    if let Some(id) = find().await? {
        return Ok(id);
    }
    sqlx::query(
        "INSERT INTO users (username, username_key, email, email_key, password_hash, role, created_at) \
         VALUES ('agora-rules', $1, 'rules@agora.invalid', 'rules@agora.invalid#system', '!', 'member', $2) \
         ON CONFLICT (username_key) DO NOTHING",
    )
    .bind(SYSTEM_USERNAME_KEY)
    .bind(now())
    .execute(db.writer())
    .await?;
    sqlx::query_scalar("SELECT id FROM users WHERE username_key = $1")
        .bind(SYSTEM_USERNAME_KEY)
        .fetch_one(db.writer())
        .await
}
