//! Queries over `users`.
use sqlx::Row;

use super::plans::{Arg, ListQuery};
use super::{now, Backend, Db, DbError};
use crate::domain::{Email, Role, Username};

/// The columns most pages need about an account.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub reputation: i64,
    pub trust_level: i64,
    pub locale: Option<String>,
    pub created_at: i64,
    pub suspended_until: Option<i64>,
    pub suspend_reason: Option<String>,
    pub silenced_until: Option<i64>,
    pub deleted: bool,
}

const USER_COLUMNS: &str =
    "id, username, email, role, reputation, trust_level, locale, created_at, \
                            suspended_until, suspend_reason, silenced_until, deleted_at";

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRecord, DbError> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        role: Role::from_stored(&row.try_get::<String, _>("role")?),
        reputation: row.try_get("reputation")?,
        trust_level: row.try_get("trust_level")?,
        locale: row.try_get("locale")?,
        created_at: row.try_get("created_at")?,
        suspended_until: row.try_get("suspended_until")?,
        suspend_reason: row.try_get("suspend_reason")?,
        silenced_until: row.try_get("silenced_until")?,
        deleted: row.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
    })
}

/// Why a new account could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("username taken")]
    UsernameTaken,
    #[error("email taken")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] DbError),
}

pub struct NewUser<'a> {
    pub username: &'a Username,
    pub email: &'a Email,
    pub password_hash: &'a str,
    pub role: Role,
    pub locale: Option<&'a str>,
    /// `auth::rate_limit::attributable_network` of the sign-up request.
    pub signup_network: Option<&'a str>,
}

/// Inserts an account; a taken name or address is reported as such, also when two sign-ups race.
/// The sign-up form states that joining means accepting the community guidelines, so the acceptance
/// time is the sign-up time.
pub async fn create(db: &Db, new: NewUser<'_>) -> Result<i64, CreateUserError> {
    let mut tx = db.begin_write().await?;
    let taken: Option<(String, String)> = sqlx::query_as(
        "SELECT username_key, email_key FROM users WHERE username_key = $1 OR email_key = $2",
    )
    .bind(new.username.key())
    .bind(new.email.key())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((name_key, _)) = taken {
        return Err(if name_key == new.username.key() {
            CreateUserError::UsernameTaken
        } else {
            CreateUserError::EmailTaken
        });
    }
    let inserted = sqlx::query(
        "INSERT INTO users (username, username_key, email, email_key, password_hash, role, locale, \
         created_at, guidelines_accepted_at, signup_network) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
    )
    .bind(new.username.as_str())
    .bind(new.username.key())
    .bind(new.email.as_str())
    .bind(new.email.key())
    .bind(new.password_hash)
    .bind(new.role.as_str())
    .bind(new.locale)
    .bind(now())
    .bind(new.signup_network)
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match inserted {
        Ok(row) => row.try_get("id")?,
        // A concurrent sign-up on another instance can still win the unique index.
        Err(DbError::Database(e)) if e.is_unique_violation() => {
            return Err(if e.message().contains("email") {
                CreateUserError::EmailTaken
            } else {
                CreateUserError::UsernameTaken
            })
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(id)
}

/// What log-in needs: the record plus the stored password hash.
pub async fn credentials_by_username_key(
    db: &Db,
    username_key: &str,
) -> Result<Option<(UserRecord, String)>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username_key = $1");
    let row = sqlx::query(&sql)
        .bind(username_key)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| Ok((user_from_row(&r)?, r.try_get("password_hash")?)))
        .transpose()
}

pub async fn password_hash(db: &Db, user_id: i64) -> Result<Option<String>, DbError> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.reader())
        .await
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<UserRecord>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<UserRecord>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_key = $1");
    let row = sqlx::query(&sql)
        .bind(crate::domain::username_key(username))
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn set_password_hash(db: &Db, user_id: i64, hash: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn set_locale(db: &Db, user_id: i64, locale: Option<&str>) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(locale)
        .bind(user_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn set_role(db: &Db, user_id: i64, role: Role) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(user_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Suspends an account until `until` and ends every session it has, in one transaction.
pub async fn suspend(db: &Db, user_id: i64, until: i64, reason: &str) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    suspend_in(&mut tx, user_id, until, reason).await?;
    tx.commit().await
}

pub(crate) async fn suspend_in(
    tx: &mut super::Tx,
    user_id: i64,
    until: i64,
    reason: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET suspended_until = $1, suspend_reason = $2 WHERE id = $3")
        .bind(until)
        .bind(reason)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A staff member suspends an account: the suspension, the ended sessions and the audit row commit
/// together.
pub async fn suspend_by(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    until: i64,
    reason: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    suspend_in(&mut tx, user_id, until, reason).await?;
    let detail = format!("until {until}");
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id,
            action: "suspend_user",
            target_kind: "user",
            target_id: Some(user_id),
            reason,
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await
}

pub async fn unsuspend_by(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    reason: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET suspended_until = NULL, suspend_reason = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id,
            action: "unsuspend_user",
            target_kind: "user",
            target_id: Some(user_id),
            reason,
            detail: "",
        },
    )
    .await?;
    tx.commit().await
}

pub async fn set_role_by(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    role: Role,
    reason: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id,
            action: "change_role",
            target_kind: "user",
            target_id: Some(user_id),
            reason,
            detail: role.as_str(),
        },
    )
    .await?;
    tx.commit().await
}

/// Where a staff list of accounts starts: the newest first, or names (emails with `@`) starting with
/// a prefix in name order, each continued after the last row shown (keyset paging, read along an
/// index whatever the forum holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffList {
    Newest {
        before_id: Option<i64>,
    },
    NamePrefix {
        prefix: String,
        after: Option<String>,
    },
    EmailPrefix {
        prefix: String,
        after: Option<String>,
    },
}

impl StaffList {
    /// The list for the search box's text `q` (trimmed, lower-cased as names and emails are keyed)
    /// and the page cursor `after` (an id for the newest list, a key for a search).
    pub fn parse(q: &str, after: Option<&str>) -> Option<Self> {
        let q = q.trim().to_lowercase();
        let after = after.map(str::trim).filter(|a| !a.is_empty());
        if q.is_empty() {
            let before_id = match after {
                Some(a) => Some(a.parse::<i64>().ok().filter(|id| *id > 0)?),
                None => None,
            };
            return Some(Self::Newest { before_id });
        }
        let after = after.map(str::to_lowercase);
        Some(if q.contains('@') {
            Self::EmailPrefix { prefix: q, after }
        } else {
            Self::NamePrefix { prefix: q, after }
        })
    }
}

/// The statement for a staff list page of `limit` accounts.
pub fn staff_list_query(backend: Backend, list: &StaffList, limit: i64) -> ListQuery {
    // PostgreSQL compares text by the database's collation; the prefix range needs byte order,
    // which the `users_by_*_bytes` indexes keep. SQLite's keys compare bytewise already.
    let bytes = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " COLLATE \"C\"",
    };
    let prefix_range = |column: &'static str, prefix: &str, after: &Option<String>| {
        // The smallest key past every key that starts with `prefix`.
        let end = format!("{prefix}\u{10FFFF}");
        let from = after.clone().unwrap_or_default();
        let sql = format!(
            "SELECT {USER_COLUMNS}, {column} AS list_key FROM users \
             WHERE {column}{bytes} >= $1 AND {column}{bytes} < $2 AND {column}{bytes} > $3 \
             ORDER BY {column}{bytes} LIMIT $4"
        );
        (
            sql,
            vec![
                Arg::Text(prefix.to_string()),
                Arg::Text(end),
                Arg::Text(from),
                Arg::Int(limit),
            ],
        )
    };
    let (sql, args, served_by): (String, Vec<Arg>, &'static [&'static str]) = match list {
        StaffList::Newest { before_id } => (
            format!(
                "SELECT {USER_COLUMNS}, CAST(id AS TEXT) AS list_key FROM users \
                 WHERE id < $1 ORDER BY id DESC LIMIT $2"
            ),
            vec![Arg::Int(before_id.unwrap_or(i64::MAX)), Arg::Int(limit)],
            &["INTEGER PRIMARY KEY"],
        ),
        StaffList::NamePrefix { prefix, after } => {
            let (sql, args) = prefix_range("username_key", prefix, after);
            (sql, args, &["sqlite_autoindex_users_1"])
        }
        StaffList::EmailPrefix { prefix, after } => {
            let (sql, args) = prefix_range("email_key", prefix, after);
            (sql, args, &["sqlite_autoindex_users_2"])
        }
    };
    ListQuery::new("admin users", sql, args).served_by(served_by)
}

/// One page of the staff list of accounts, each with the cursor that continues after it.
pub async fn staff_list(
    db: &Db,
    list: &StaffList,
    limit: i64,
) -> Result<Vec<(UserRecord, String)>, DbError> {
    let rows = staff_list_query(db.backend(), list, limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|row| Ok((user_from_row(row)?, row.try_get("list_key")?)))
        .collect()
}

/// The staff list statements, for the plan check.
pub fn list_queries(backend: Backend) -> Vec<ListQuery> {
    [
        StaffList::Newest { before_id: None },
        StaffList::Newest {
            before_id: Some(100),
        },
        StaffList::NamePrefix {
            prefix: "member1".into(),
            after: Some("member10".into()),
        },
        StaffList::EmailPrefix {
            prefix: "member1@".into(),
            after: None,
        },
    ]
    .iter()
    .map(|list| staff_list_query(backend, list, 101))
    .collect()
}

/// Marks an account deleted (its content stays, attributed to it) and ends its sessions.
pub async fn mark_deleted(db: &Db, user_id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET deleted_at = $1 WHERE id = $2")
        .bind(now())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub async fn count(db: &Db) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.reader())
        .await
}

/// The live account a username or an email address names (password reset's `login` field).
pub async fn by_login(db: &Db, login: &str) -> Result<Option<UserRecord>, DbError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users \
         WHERE (username_key = $1 OR email_key = $2) AND deleted_at IS NULL"
    );
    let row = sqlx::query(&sql)
        .bind(crate::domain::username_key(login))
        .bind(login.trim().to_lowercase())
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// The IANA zone a member chose for times on event pages (empty: none chosen).
pub async fn time_zone(db: &Db, user_id: i64) -> Result<String, DbError> {
    let zone: Option<String> = sqlx::query_scalar("SELECT time_zone FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.reader())
        .await?;
    Ok(zone.unwrap_or_default())
}

/// Stores a member's time zone (a parsed IANA name, or empty for the browser's).
pub async fn set_time_zone(db: &Db, user_id: i64, zone: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
        .bind(zone)
        .bind(user_id)
        .execute(db.writer())
        .await?;
    Ok(())
}
