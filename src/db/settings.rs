//! Site settings editable at run time (key/value), read with defaults.
use super::{Db, DbError};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, DbError> {
    sqlx::query_scalar("SELECT value FROM site_settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db.reader())
        .await
}

/// A key that starts with `$1`, `$2` characters long. Not `LIKE $1 || '%'`: a bound pattern has
/// SQLite prepare the statement again on every run (its LIKE optimisation depends on the value),
/// and `_` in a prefix is a wildcard. The table is a few dozen rows, read whole either way.
const STARTS_WITH: &str = "substr(key, 1, CAST($2 AS INTEGER)) = $1";

/// The length of `prefix` in characters, as `substr` counts them.
fn prefix_len(prefix: &str) -> i64 {
    i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX)
}

/// Every setting whose key starts with `prefix` (e.g. `ai.`), in one query.
pub async fn with_prefix(
    db: &Db,
    prefix: &str,
) -> Result<std::collections::HashMap<String, String>, DbError> {
    with_prefix_and_keys(db, prefix, &[]).await
}

/// Every setting whose key starts with `prefix`, and those of `keys`, in one query.
pub async fn with_prefix_and_keys(
    db: &Db,
    prefix: &str,
    keys: &[&str],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    let sql = if keys.is_empty() {
        format!("SELECT key, value FROM site_settings WHERE {STARTS_WITH}")
    } else {
        format!(
            "SELECT key, value FROM site_settings WHERE {STARTS_WITH} OR key IN ({})",
            super::placeholders(3, keys.len())
        )
    };
    let mut query = sqlx::query_as::<_, (String, String)>(&sql)
        .bind(prefix)
        .bind(prefix_len(prefix));
    for key in keys {
        query = query.bind(*key);
    }
    Ok(query.fetch_all(db.reader()).await?.into_iter().collect())
}

/// The stored values of `keys`, in one query (absent keys are absent from the map).
pub async fn many(
    db: &Db,
    keys: &[&str],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    if keys.is_empty() {
        return Ok(Default::default());
    }
    let list: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT key, value FROM site_settings WHERE key IN ({})",
        list.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql);
    for key in keys {
        query = query.bind(*key);
    }
    Ok(query.fetch_all(db.reader()).await?.into_iter().collect())
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO site_settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// An admin changes a setting (and optionally a derived one, such as rendered HTML); the change and
/// its audit row commit together.
pub async fn set_by(
    db: &Db,
    actor_id: i64,
    key: &str,
    value: &str,
    derived: Option<(&str, &str)>,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    for (k, v) in std::iter::once((key, value)).chain(derived) {
        sqlx::query(
            "INSERT INTO site_settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(k)
        .bind(v)
        .execute(&mut *tx)
        .await?;
    }
    let detail: String = value.chars().take(200).collect();
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id,
            action: "change_setting",
            target_kind: "setting",
            target_id: None,
            reason: key,
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await
}
