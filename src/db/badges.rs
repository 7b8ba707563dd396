//! Queries over `user_badges`: who was active since the badge job's watermark, what a member has
//! earned, storing new awards with their notifications (each award once, by the unique key), and the
//! lists `/badges` and the profiles show.
use sqlx::Row;

use super::notifications::{notify_in, Kind, NewNotification};
use super::{now, Db, DbError};
use crate::domain::{Badge, BadgeThresholds};

/// An award: which badge, what it was earned on (tag id, answer id or 0) and the post it links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Award {
    pub badge: Badge,
    pub subject: i64,
    pub post_id: Option<i64>,
}

/// The time up to which the badge job has read activity.
pub async fn watermark(db: &Db) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT watermark FROM badge_progress WHERE id = 1")
        .fetch_one(db.reader())
        .await
}

pub async fn set_watermark(db: &Db, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE badge_progress SET watermark = $1 WHERE id = 1")
        .bind(at)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Members whose badges may have changed since `since`: authors of new questions and answers,
/// editors of new revisions, and members whose reputation moved (votes, acceptances).
pub async fn active_since(db: &Db, since: i64) -> Result<Vec<i64>, DbError> {
    sqlx::query_scalar(
        "SELECT author_id FROM posts WHERE kind IN ('question', 'answer') \
             AND status = 'published' AND created_at >= $1 \
         UNION SELECT editor_id FROM post_revisions WHERE at >= $1 AND n > 1 \
         UNION SELECT user_id FROM reputation_events WHERE at >= $1",
    )
    .bind(since)
    .fetch_all(db.reader())
    .await
}

/// Every award `user_id` has earned by the forum's state now (stored or not).
pub async fn earned(db: &Db, user_id: i64, t: &BadgeThresholds) -> Result<Vec<Award>, DbError> {
    let mut awards = Vec::new();
    let first = |kind: &'static str| {
        sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MIN(id) FROM posts WHERE author_id = $1 AND kind = $2 AND status = 'published'",
        )
        .bind(user_id)
        .bind(kind)
        .fetch_one(db.reader())
    };
    if let Some(id) = first("question").await? {
        awards.push(once(Badge::FirstQuestion, Some(id)));
    }
    if let Some(id) = first("answer").await? {
        awards.push(once(Badge::FirstAnswer, Some(id)));
    }
    let accepted: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(a.id) FROM posts a JOIN posts q ON q.accepted_answer_id = a.id \
         WHERE a.author_id = $1 AND a.status = 'published'",
    )
    .bind(user_id)
    .fetch_one(db.reader())
    .await?;
    if let Some(id) = accepted {
        awards.push(once(Badge::FirstAccepted, Some(id)));
    }
    let edited: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(post_id) FROM post_revisions WHERE editor_id = $1 AND n > 1",
    )
    .bind(user_id)
    .fetch_one(db.reader())
    .await?;
    if let Some(id) = edited {
        awards.push(once(Badge::Editor, Some(id)));
    }
    let scored: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, score FROM posts WHERE author_id = $1 AND kind = 'answer' \
         AND status = 'published' AND score >= $2",
    )
    .bind(user_id)
    .bind(t.good_answer.min(t.great_answer))
    .fetch_all(db.reader())
    .await?;
    for (id, score) in scored {
        for badge in [Badge::GoodAnswer, Badge::GreatAnswer] {
            if badge.threshold(t).is_some_and(|needed| score >= needed) {
                awards.push(Award {
                    badge,
                    subject: id,
                    post_id: Some(id),
                });
            }
        }
    }
    let lowest = t.tag_bronze.min(t.tag_silver).min(t.tag_gold);
    let by_tag: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT pt.tag_id, CAST(SUM(a.score) AS BIGINT) AS total FROM posts a \
         JOIN posts q ON q.id = a.parent_id AND q.status = 'published' \
         JOIN post_tags pt ON pt.post_id = q.id \
         WHERE a.author_id = $1 AND a.kind = 'answer' AND a.status = 'published' \
         GROUP BY pt.tag_id HAVING SUM(a.score) >= $2",
    )
    .bind(user_id)
    .bind(lowest)
    .fetch_all(db.reader())
    .await?;
    for (tag_id, total) in by_tag {
        for badge in [Badge::TagBronze, Badge::TagSilver, Badge::TagGold] {
            if badge.threshold(t).is_some_and(|needed| total >= needed) {
                awards.push(Award {
                    badge,
                    subject: tag_id,
                    post_id: None,
                });
            }
        }
    }
    Ok(awards)
}

fn once(badge: Badge, post_id: Option<i64>) -> Award {
    Award {
        badge,
        subject: 0,
        post_id,
    }
}

/// Stores the awards `user_id` does not hold yet and notifies them of each, in one transaction;
/// returns the new ones. Running it twice awards nothing the second time.
pub async fn award(db: &Db, user_id: i64, awards: &[Award]) -> Result<Vec<Award>, DbError> {
    let mut tx = db.begin_write().await?;
    let mut new = Vec::new();
    for award in awards {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO user_badges (user_id, badge, subject, post_id, awarded_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, badge, subject) DO NOTHING \
             RETURNING id",
        )
        .bind(user_id)
        .bind(award.badge.as_str())
        .bind(award.subject)
        .bind(award.post_id)
        .bind(now())
        .fetch_optional(&mut *tx)
        .await?;
        if id.is_none() {
            continue;
        }
        let detail = match award.badge.is_tag_badge() {
            true => tag_name(&mut tx, award.subject).await?,
            false => String::new(),
        };
        let notice = NewNotification {
            user_id,
            kind: Kind::Badge,
            actor_id: None,
            post_id: award.post_id,
            comment_id: None,
            detail: format!("{}:{detail}", award.badge.as_str()),
        };
        notify_in(&mut tx, notice).await?;
        new.push(*award);
    }
    tx.commit().await?;
    Ok(new)
}

async fn tag_name(tx: &mut super::Tx, tag_id: i64) -> Result<String, DbError> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM tags WHERE id = $1")
        .bind(tag_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(name.unwrap_or_default())
}

/// A badge as a profile or `/badges` shows it.
#[derive(Debug, Clone)]
pub struct Held {
    pub id: i64,
    pub badge: Badge,
    pub username: String,
    /// The tag of a tag badge.
    pub tag: Option<String>,
    pub awarded_at: i64,
}

const HELD_COLUMNS: &str = "b.id, b.badge, u.username, t.name AS tag, b.awarded_at \
     FROM user_badges b JOIN users u ON u.id = b.user_id \
     LEFT JOIN tags t ON b.badge LIKE 'tag_%' AND t.id = b.subject";

fn held_from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Held>, DbError> {
    let mut held = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(badge) = Badge::parse(&row.try_get::<String, _>("badge")?) else {
            continue;
        };
        held.push(Held {
            id: row.try_get("id")?,
            badge,
            username: row.try_get("username")?,
            tag: row.try_get("tag")?,
            awarded_at: row.try_get("awarded_at")?,
        });
    }
    Ok(held)
}

/// A member's badges, newest first.
pub async fn of_user(db: &Db, user_id: i64, limit: i64) -> Result<Vec<Held>, DbError> {
    let sql = format!(
        "SELECT {HELD_COLUMNS} WHERE b.user_id = $1 ORDER BY b.awarded_at DESC, b.id DESC LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(user_id)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    held_from_rows(&rows)
}

/// A page of a badge's holders, newest award first, after award id `before`; and whether more follow.
pub async fn holders(
    db: &Db,
    badge: Badge,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<Held>, bool), DbError> {
    let sql = format!(
        "SELECT {HELD_COLUMNS} WHERE b.badge = $1 AND b.id < $2 AND u.deleted_at IS NULL \
         ORDER BY b.id DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(badge.as_str())
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit + 1)
        .fetch_all(db.reader())
        .await?;
    let mut held = held_from_rows(&rows)?;
    let more = held.len() as i64 > limit;
    held.truncate(limit as usize);
    Ok((held, more))
}

/// How many times each badge was awarded.
pub async fn counts(db: &Db) -> Result<Vec<(Badge, i64)>, DbError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT badge, COUNT(*) FROM user_badges GROUP BY badge")
            .fetch_all(db.reader())
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(b, n)| Badge::parse(&b).map(|b| (b, n)))
        .collect())
}
