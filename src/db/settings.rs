//! Site settings editable at run time (key/value), read with defaults.
use super::{Db, DbError};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, DbError> {
    sqlx::query_scalar("SELECT value FROM site_settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db.reader())
        .await
}

/// Every setting whose key starts with `prefix` (e.g. `ai.`), in one query.
pub async fn with_prefix(
    db: &Db,
    prefix: &str,
) -> Result<std::collections::HashMap<String, String>, DbError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key, value FROM site_settings WHERE key LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_all(db.reader())
            .await?;
    // LIKE treats `_` and `%` in the prefix as wildcards: keep exact matches only.
    Ok(rows
        .into_iter()
        .filter(|(key, _)| key.starts_with(prefix))
        .collect())
}

/// Every setting whose key starts with `prefix`, and those of `keys`, in one query.
pub async fn with_prefix_and_keys(
    db: &Db,
    prefix: &str,
    keys: &[&str],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    let listed: Vec<String> = (2..keys.len() + 2).map(|i| format!("${i}")).collect();
    let sql = if keys.is_empty() {
        "SELECT key, value FROM site_settings WHERE key LIKE $1".to_string()
    } else {
        format!(
            "SELECT key, value FROM site_settings WHERE key LIKE $1 OR key IN ({})",
            listed.join(", ")
        )
    };
    let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(format!("{prefix}%"));
    for key in keys {
        query = query.bind(*key);
    }
    let rows = query.fetch_all(db.reader()).await?;
    // LIKE treats `_` and `%` in the prefix as wildcards: keep exact matches only.
    Ok(rows
        .into_iter()
        .filter(|(key, _)| key.starts_with(prefix) || keys.contains(&key.as_str()))
        .collect())
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
