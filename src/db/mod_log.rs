//! The moderation audit log (`mod_actions`): append-only, enforced by triggers in the database.
use sqlx::Row;

use super::{now, Db, DbError};

/// One staff action to record.
pub struct NewAction<'a> {
    pub actor_id: i64,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<i64>,
    pub reason: &'a str,
    pub detail: &'a str,
}

#[derive(Debug, Clone)]
pub struct ActionRecord {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub reason: String,
    pub detail: String,
    pub at: i64,
}

pub async fn record(
    executor: &mut sqlx::AnyConnection,
    action: NewAction<'_>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO mod_actions (actor_id, action, target_kind, target_id, reason, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(action.actor_id)
    .bind(action.action)
    .bind(action.target_kind)
    .bind(action.target_id)
    .bind(action.reason)
    .bind(action.detail)
    .bind(now())
    .execute(executor)
    .await?;
    Ok(())
}

/// Records what a rule did on its own (no staff member acted), such as hiding content that enough
/// trusted members flagged: the row has no actor, and `detail` says what triggered it.
pub async fn record_automatic(
    executor: &mut sqlx::AnyConnection,
    action: &str,
    target_kind: &str,
    target_id: Option<i64>,
    reason: &str,
    detail: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO mod_actions (actor_id, action, target_kind, target_id, reason, detail, at) \
         VALUES (NULL, $1, $2, $3, $4, $5, $6)",
    )
    .bind(action)
    .bind(target_kind)
    .bind(target_id)
    .bind(reason)
    .bind(detail)
    .bind(now())
    .execute(executor)
    .await?;
    Ok(())
}

/// Filters for the log page; empty strings mean "any".
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    pub action: String,
    pub actor: String,
    pub before_id: Option<i64>,
}

/// Newest first, `limit` rows, keyset-paged by id.
pub async fn page(db: &Db, filter: &LogFilter, limit: i64) -> Result<Vec<ActionRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT m.id, COALESCE(u.username, '') AS actor, m.action, m.target_kind, m.target_id, \
                m.reason, m.detail, m.at \
         FROM mod_actions m LEFT JOIN users u ON u.id = m.actor_id \
         WHERE ($1 = '' OR m.action = $1) AND ($2 = '' OR u.username_key = $2) AND m.id < $3 \
         ORDER BY m.id DESC LIMIT $4",
    )
    .bind(&filter.action)
    .bind(crate::domain::username_key(&filter.actor))
    .bind(filter.before_id.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ActionRecord {
                id: r.try_get("id")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                target_kind: r.try_get("target_kind")?,
                target_id: r.try_get("target_id")?,
                reason: r.try_get("reason")?,
                detail: r.try_get("detail")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// Whether the decision standing on a target was taken by an admin: the latest audit row among
/// `group` (the actions that make and undo one kind of decision) is one of `standing` (the ones that
/// restrict) and its actor is an admin now. Automatic rows (no actor) belong to nobody.
pub async fn admin_decision_stands(
    db: &Db,
    target_kind: &str,
    target_id: i64,
    group: &[&str],
    standing: &[&str],
) -> Result<bool, DbError> {
    let list = (3..3 + group.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT m.action, u.role FROM mod_actions m LEFT JOIN users u ON u.id = m.actor_id \
         WHERE m.target_kind = $1 AND m.target_id = $2 AND m.action IN ({list}) \
         ORDER BY m.id DESC LIMIT 1"
    );
    let mut query = sqlx::query(&sql).bind(target_kind).bind(target_id);
    for action in group {
        query = query.bind(*action);
    }
    let Some(row) = query.fetch_optional(db.reader()).await? else {
        return Ok(false);
    };
    let action: String = row.try_get("action")?;
    let role: Option<String> = row.try_get("role")?;
    Ok(standing.contains(&action.as_str()) && role.as_deref() == Some("admin"))
}
