//! Server-side sessions: a random 128-bit id lives in the cookie, only its SHA-256 in the database.
//! Sessions end at an absolute expiry, after an idle period, at log-out, or when the account is suspended
//! or deleted.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::CurrentUser;
use crate::db::sessions::SessionRecord;
use crate::db::{self, Db, DbError};

/// How long sessions live, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

/// Only refresh `last_seen_at` this often, so browsing does not turn every page view into a write.
const TOUCH_INTERVAL_SECS: i64 = 300;

pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

pub fn hash_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// A session loaded for a request.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub id_hash: String,
    pub csrf_token: String,
    pub user: Option<CurrentUser>,
}

/// Starts a session (signed in when `user_id` is set) and returns the cookie value plus the session.
pub async fn start(
    db: &Db,
    user_id: Option<i64>,
    user: Option<CurrentUser>,
    lifetimes: Lifetimes,
) -> Result<(String, ActiveSession), DbError> {
    let id = random_token(16);
    let id_hash = hash_id(&id);
    let csrf_token = random_token(32);
    let now = db::now();
    db::sessions::create(
        db,
        &id_hash,
        user_id,
        &csrf_token,
        now,
        now + lifetimes.absolute_secs,
    )
    .await?;
    Ok((
        id,
        ActiveSession {
            id_hash,
            csrf_token,
            user,
        },
    ))
}

/// Outcome of looking up a cookie.
pub enum Lookup {
    Active(ActiveSession),
    /// The cookie named no live session (expired, logged out, suspended account): clear it.
    Dead,
}

pub async fn load(db: &Db, cookie_value: &str, lifetimes: Lifetimes) -> Result<Lookup, DbError> {
    let id_hash = hash_id(cookie_value);
    let Some(record) = db::sessions::find(db, &id_hash).await? else {
        return Ok(Lookup::Dead);
    };
    let now = db::now();
    if !is_live(&record, now, lifetimes) {
        db::sessions::delete(db, &id_hash).await?;
        return Ok(Lookup::Dead);
    }
    if now - record.last_seen_at >= TOUCH_INTERVAL_SECS {
        db::sessions::touch(db, &id_hash, now).await?;
    }
    let user = record.user.map(|u| CurrentUser {
        id: u.id,
        username: u.username,
        role: u.role,
        reputation: u.reputation,
        trust_level: u.trust_level,
        locale: u.locale,
    });
    Ok(Lookup::Active(ActiveSession {
        id_hash,
        csrf_token: record.csrf_token,
        user,
    }))
}

fn is_live(record: &SessionRecord, now: i64, lifetimes: Lifetimes) -> bool {
    if record.expires_at <= now || record.last_seen_at + lifetimes.idle_secs <= now {
        return false;
    }
    match &record.user {
        Some(user) => !user.deleted && user.suspended_until.is_none_or(|until| until <= now),
        None => true,
    }
}

pub async fn end(db: &Db, session: &ActiveSession) -> Result<(), DbError> {
    db::sessions::delete(db, &session.id_hash).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::sessions::SessionUser;
    use crate::domain::Role;

    fn record(last_seen: i64, expires: i64, suspended_until: Option<i64>) -> SessionRecord {
        SessionRecord {
            id_hash: "h".into(),
            csrf_token: "t".into(),
            created_at: 0,
            last_seen_at: last_seen,
            expires_at: expires,
            user: Some(SessionUser {
                id: 1,
                username: "u".into(),
                role: Role::Member,
                reputation: 1,
                trust_level: 0,
                locale: None,
                suspended_until,
                deleted: false,
            }),
        }
    }

    const LIFE: Lifetimes = Lifetimes {
        idle_secs: 100,
        absolute_secs: 1000,
    };

    #[test]
    fn sessions_end_at_idle_and_absolute_limits() {
        assert!(is_live(&record(950, 1000, None), 999, LIFE));
        assert!(
            !is_live(&record(950, 1000, None), 1000, LIFE),
            "absolute expiry"
        );
        assert!(!is_live(&record(800, 1000, None), 900, LIFE), "idle expiry");
    }

    #[test]
    fn suspended_users_lose_their_sessions_until_the_suspension_ends() {
        assert!(!is_live(&record(950, 1000, Some(2000)), 960, LIFE));
        assert!(is_live(&record(950, 1000, Some(900)), 960, LIFE));
    }

    #[test]
    fn ids_are_128_bit_and_only_hashes_are_stored() {
        let id = random_token(16);
        assert_eq!(URL_SAFE_NO_PAD.decode(&id).map(|b| b.len()).ok(), Some(16));
        assert_eq!(hash_id(&id).len(), 64);
        assert_ne!(hash_id(&id), id);
    }
}
