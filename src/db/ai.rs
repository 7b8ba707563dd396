//! Storage of the AI features: summary drafts (`ai_summaries`), questions put to the answer bot
//! (`bot_asks`), the bot's user account and the marks a bot answer carries on its post.
use sqlx::Row;

use super::{now, Db, DbError};
use crate::domain::{AskStatus, Username};

// ---------------------------------------------------------------------------------------------
// Summaries

#[derive(Debug, Clone)]
pub struct SummaryRecord {
    pub post_id: i64,
    pub source_hash: String,
    pub model: String,
    /// JSON list of `{"text", "at"}`.
    pub extractive: String,
    pub generated: String,
    pub rejected_reason: String,
    /// `queued`, `draft`, `accepted` or `dismissed`.
    pub status: String,
    pub stale: bool,
    pub accepted_md: String,
    pub accepted_html: String,
    pub tokens: i64,
    pub elapsed_ms: i64,
    pub updated_at: i64,
}

const SUMMARY_COLUMNS: &str =
    "post_id, source_hash, model, extractive, generated, rejected_reason, \
     status, stale, accepted_md, accepted_html, tokens, elapsed_ms, updated_at";

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<SummaryRecord, DbError> {
    Ok(SummaryRecord {
        post_id: row.try_get("post_id")?,
        source_hash: row.try_get("source_hash")?,
        model: row.try_get("model")?,
        extractive: row.try_get("extractive")?,
        generated: row.try_get("generated")?,
        rejected_reason: row.try_get("rejected_reason")?,
        status: row.try_get("status")?,
        stale: row.try_get::<i64, _>("stale")? != 0,
        accepted_md: row.try_get("accepted_md")?,
        accepted_html: row.try_get("accepted_html")?,
        tokens: row.try_get("tokens")?,
        elapsed_ms: row.try_get("elapsed_ms")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn summary(db: &Db, post_id: i64) -> Result<Option<SummaryRecord>, DbError> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM ai_summaries WHERE post_id = $1");
    sqlx::query(&sql)
        .bind(post_id)
        .fetch_optional(db.reader())
        .await?
        .as_ref()
        .map(summary_from_row)
        .transpose()
}

/// A freshly made draft: replaces any earlier draft; an accepted summary stays shown (marked stale
/// until the author accepts the new draft).
pub struct NewDraft<'a> {
    pub post_id: i64,
    pub source_hash: &'a str,
    pub model: &'a str,
    pub extractive: &'a str,
    pub generated: &'a str,
    pub rejected_reason: &'a str,
    pub tokens: i64,
    pub elapsed_ms: i64,
}

pub async fn store_draft(db: &Db, draft: NewDraft<'_>) -> Result<(), DbError> {
    let at = now();
    sqlx::query(
        "INSERT INTO ai_summaries (post_id, source_hash, model, extractive, generated, rejected_reason, \
         status, stale, tokens, elapsed_ms, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', 0, $7, $8, $9, $9) \
         ON CONFLICT (post_id) DO UPDATE SET source_hash = excluded.source_hash, model = excluded.model, \
           extractive = excluded.extractive, generated = excluded.generated, \
           rejected_reason = excluded.rejected_reason, \
           status = CASE WHEN ai_summaries.status = 'accepted' THEN 'accepted' ELSE 'draft' END, \
           stale = CASE WHEN ai_summaries.status = 'accepted' THEN 1 ELSE 0 END, \
           tokens = excluded.tokens, elapsed_ms = excluded.elapsed_ms, updated_at = excluded.updated_at",
    )
    .bind(draft.post_id)
    .bind(draft.source_hash)
    .bind(draft.model)
    .bind(draft.extractive)
    .bind(draft.generated)
    .bind(draft.rejected_reason)
    .bind(draft.tokens)
    .bind(draft.elapsed_ms)
    .bind(at)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Marks a post's summary as made from an older text (after an edit); returns whether one existed.
pub async fn mark_stale(db: &Db, post_id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE ai_summaries SET stale = 1, updated_at = $2 WHERE post_id = $1")
        .bind(post_id)
        .bind(now())
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The author (or staff) accepts a summary text; it is shown to readers from now on.
pub async fn accept_summary(
    db: &Db,
    post_id: i64,
    by: i64,
    markdown: &str,
    html: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE ai_summaries SET status = 'accepted', stale = 0, accepted_md = $2, accepted_html = $3, \
         accepted_by = $4, updated_at = $5 WHERE post_id = $1",
    )
    .bind(post_id)
    .bind(markdown)
    .bind(html)
    .bind(by)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Dismisses the draft and takes any shown summary down.
pub async fn dismiss_summary(db: &Db, post_id: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE ai_summaries SET status = 'dismissed', accepted_md = '', accepted_html = '', \
         updated_at = $2 WHERE post_id = $1",
    )
    .bind(post_id)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Forgets the source hash so the next job summarises the post again (admin "regenerate").
pub async fn forget_source_hash(db: &Db, post_id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE ai_summaries SET source_hash = '' WHERE post_id = $1")
        .bind(post_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The most recently made summaries, for the admin page.
pub async fn recent_summaries(db: &Db, limit: i64) -> Result<Vec<SummaryRecord>, DbError> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM ai_summaries WHERE status <> 'queued' \
         ORDER BY updated_at DESC, post_id DESC LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(db.reader()).await?;
    rows.iter().map(summary_from_row).collect()
}

// ---------------------------------------------------------------------------------------------
// Bot questions

#[derive(Debug, Clone)]
pub struct AskRecord {
    pub id: i64,
    pub asker_id: i64,
    pub question: String,
    pub status: AskStatus,
    pub answer_md: String,
    pub answer_html: String,
    /// JSON list of `ai::bot::Passage`.
    pub sources: String,
    pub removed_citations: i64,
    pub model: String,
    pub error: String,
    pub tokens: i64,
    pub elapsed_ms: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const ASK_COLUMNS: &str = "id, asker_id, question, status, answer_md, answer_html, sources, \
     removed_citations, model, error, tokens, elapsed_ms, created_at, finished_at";

fn ask_from_row(row: &sqlx::any::AnyRow) -> Result<AskRecord, DbError> {
    Ok(AskRecord {
        id: row.try_get("id")?,
        asker_id: row.try_get("asker_id")?,
        question: row.try_get("question")?,
        status: AskStatus::from_stored(&row.try_get::<String, _>("status")?),
        answer_md: row.try_get("answer_md")?,
        answer_html: row.try_get("answer_html")?,
        sources: row.try_get("sources")?,
        removed_citations: row.try_get("removed_citations")?,
        model: row.try_get("model")?,
        error: row.try_get("error")?,
        tokens: row.try_get("tokens")?,
        elapsed_ms: row.try_get("elapsed_ms")?,
        created_at: row.try_get("created_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

pub async fn create_ask(db: &Db, asker_id: i64, question: &str) -> Result<i64, DbError> {
    sqlx::query(
        "INSERT INTO bot_asks (asker_id, question, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(asker_id)
    .bind(question)
    .bind(now())
    .fetch_one(db.writer())
    .await?
    .try_get("id")
}

pub async fn ask(db: &Db, id: i64) -> Result<Option<AskRecord>, DbError> {
    let sql = format!("SELECT {ASK_COLUMNS} FROM bot_asks WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.writer())
        .await?
        .as_ref()
        .map(ask_from_row)
        .transpose()
}

/// Takes a queued question for answering; only one caller wins.
pub async fn claim_ask(db: &Db, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE bot_asks SET status = $2 WHERE id = $1 AND status = $3")
        .bind(id)
        .bind(AskStatus::Running.as_str())
        .bind(AskStatus::Queued.as_str())
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How a question ended.
pub struct AskOutcome<'a> {
    pub status: AskStatus,
    pub answer_md: &'a str,
    pub answer_html: &'a str,
    pub sources: &'a str,
    pub removed_citations: i64,
    pub model: &'a str,
    pub error: &'a str,
    pub tokens: i64,
    pub elapsed_ms: i64,
}

pub async fn finish_ask(db: &Db, id: i64, outcome: AskOutcome<'_>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE bot_asks SET status = $2, answer_md = $3, answer_html = $4, sources = $5, \
         removed_citations = $6, model = $7, error = $8, tokens = $9, elapsed_ms = $10, finished_at = $11 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(outcome.status.as_str())
    .bind(outcome.answer_md)
    .bind(outcome.answer_html)
    .bind(outcome.sources)
    .bind(outcome.removed_citations)
    .bind(outcome.model)
    .bind(outcome.error)
    .bind(outcome.tokens)
    .bind(outcome.elapsed_ms)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// A user's recent questions, newest first.
pub async fn asks_by(db: &Db, asker_id: i64, limit: i64) -> Result<Vec<AskRecord>, DbError> {
    let sql = format!(
        "SELECT {ASK_COLUMNS} FROM bot_asks WHERE asker_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(asker_id)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(ask_from_row).collect()
}

/// The most recent finished questions, for the admin page's latency figures.
pub async fn recent_asks(db: &Db, limit: i64) -> Result<Vec<AskRecord>, DbError> {
    let sql = format!(
        "SELECT {ASK_COLUMNS} FROM bot_asks WHERE finished_at IS NOT NULL \
         ORDER BY finished_at DESC, id DESC LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(db.reader()).await?;
    rows.iter().map(ask_from_row).collect()
}

// ---------------------------------------------------------------------------------------------
// The bot's account and its answers

/// The bot's user id, creating the account (no password, cannot log in) on first use. Its name
/// follows the `name` setting.
pub async fn ensure_bot_user(db: &Db, name: &Username) -> Result<i64, DbError> {
    let existing: Option<(i64, String)> =
        sqlx::query_as("SELECT id, username FROM users WHERE is_bot = 1 ORDER BY id LIMIT 1")
            .fetch_optional(db.writer())
            .await?;
    match existing {
        Some((id, current)) if current == name.as_str() => Ok(id),
        Some((id, _)) => {
            // Renamed in the admin panel; a name taken by a person keeps the old one.
            let renamed =
                sqlx::query("UPDATE users SET username = $2, username_key = $3 WHERE id = $1")
                    .bind(id)
                    .bind(name.as_str())
                    .bind(name.key())
                    .execute(db.writer())
                    .await;
            match renamed {
                Ok(_) => Ok(id),
                Err(DbError::Database(e)) if e.is_unique_violation() => Ok(id),
                Err(e) => Err(e),
            }
        }
        None => {
            let key = name.key();
            sqlx::query(
                "INSERT INTO users (username, username_key, email, email_key, password_hash, role, \
                 is_bot, created_at) VALUES ($1, $2, $3, $3, '!', 'member', 1, $4) RETURNING id",
            )
            .bind(name.as_str())
            .bind(&key)
            .bind(format!("{key}@bot.invalid"))
            .bind(now())
            .fetch_one(db.writer())
            .await?
            .try_get("id")
        }
    }
}

/// Records the model that wrote a bot answer.
pub async fn set_post_model(db: &Db, post_id: i64, model: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE posts SET ai_model = $2 WHERE id = $1")
        .bind(post_id)
        .bind(model)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// What the question page shows on a bot answer.
#[derive(Debug, Clone, Default)]
pub struct BotMarks {
    pub model: String,
    pub verified_by: Option<String>,
}

pub async fn bot_marks(db: &Db, post_id: i64) -> Result<BotMarks, DbError> {
    let row = sqlx::query(
        "SELECT p.ai_model, u.username FROM posts p LEFT JOIN users u ON u.id = p.verified_by \
         WHERE p.id = $1",
    )
    .bind(post_id)
    .fetch_optional(db.reader())
    .await?;
    Ok(match row {
        Some(row) => BotMarks {
            model: row.try_get("ai_model")?,
            verified_by: row.try_get("username")?,
        },
        None => BotMarks::default(),
    })
}

/// [`bot_marks`] for many posts in one statement: `(post id, marks)` for those that exist.
pub async fn bot_marks_for(db: &Db, post_ids: &[i64]) -> Result<Vec<(i64, BotMarks)>, DbError> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=post_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT p.id, p.ai_model, u.username FROM posts p LEFT JOIN users u ON u.id = p.verified_by \
         WHERE p.id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in post_ids {
        query = query.bind(*id);
    }
    query
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("id")?,
                BotMarks {
                    model: row.try_get("ai_model")?,
                    verified_by: row.try_get("username")?,
                },
            ))
        })
        .collect()
}

/// A member with enough reputation vouches for a bot answer; returns false if already verified.
pub async fn verify_bot_answer(db: &Db, post_id: i64, by: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE posts SET verified_by = $2, verified_at = $3 \
         WHERE id = $1 AND kind = 'bot_answer' AND verified_by IS NULL",
    )
    .bind(post_id)
    .bind(by)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------------------------------------
// What the features read from posts

/// A post's text as summaries need it.
#[derive(Debug, Clone)]
pub struct PostSource {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub title: String,
    pub body_md: String,
    pub body_text: String,
}

fn source_from_row(row: &sqlx::any::AnyRow) -> Result<PostSource, DbError> {
    Ok(PostSource {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        title: row.try_get("title")?,
        body_md: row.try_get("body_md")?,
        body_text: row.try_get("body_text")?,
    })
}

pub async fn post_source(db: &Db, post_id: i64) -> Result<Option<PostSource>, DbError> {
    sqlx::query("SELECT id, kind, status, title, body_md, body_text FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_optional(db.reader())
        .await?
        .as_ref()
        .map(source_from_row)
        .transpose()
}

/// Every published article and question (for the evaluation).
pub async fn public_topics(db: &Db) -> Result<Vec<PostSource>, DbError> {
    let rows = sqlx::query(
        "SELECT id, kind, status, title, body_md, body_text FROM posts \
         WHERE kind IN ('article', 'question') AND status = 'published' ORDER BY id",
    )
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(source_from_row).collect()
}

/// Whether anyone may see the post now: published, and its question too for an answer.
pub async fn publicly_visible(db: &Db, post_id: i64) -> Result<bool, DbError> {
    let visible: Option<i64> = sqlx::query_scalar(
        "SELECT p.id FROM posts p LEFT JOIN posts q ON q.id = p.parent_id \
         WHERE p.id = $1 AND p.status = 'published' AND (p.parent_id IS NULL OR q.status = 'published')",
    )
    .bind(post_id)
    .fetch_optional(db.writer())
    .await?;
    Ok(visible.is_some())
}

/// Whether a resource is listed (approved) now.
pub async fn resource_listed(db: &Db, resource_id: i64) -> Result<bool, DbError> {
    let listed: Option<i64> =
        sqlx::query_scalar("SELECT id FROM resources WHERE id = $1 AND status = 'approved'")
            .bind(resource_id)
            .fetch_optional(db.writer())
            .await?;
    Ok(listed.is_some())
}
