//! Secrets every app instance shares (`secrets`): created by the first instance that starts, read
//! by the others. Only start-up touches this table.
use super::{now, Db, DbError};

/// The secret called `name`; `fresh` is stored first when there is none yet (the first instance
/// to start wins a race, and every instance reads the winner).
pub async fn get_or_create(db: &Db, name: &str, fresh: &str) -> Result<String, DbError> {
    sqlx::query(
        "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(fresh)
    .bind(now())
    .execute(db.writer())
    .await?;
    sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
        .bind(name)
        .fetch_one(db.writer())
        .await
}
