//! Queries over posts (articles, questions, answers): writing them with their revisions and tags,
//! reading one, answers to a question, accepting, soft deletion. Lists live in [`lists`], tags in
//! [`tags`], revisions in [`revisions`], duplicate hints in [`similar`], feeds in [`feeds`], a
//! topic's answers page by page in [`answers`], the API's keyset walks in [`keyset`].
pub mod answers;
pub mod feeds;
pub mod keyset;
pub mod lists;
pub mod revisions;
pub mod tags;
pub mod views;

use sqlx::Row;

use super::notifications::{tell_published_in, Kind as NotificationKind, Published};
use super::{now, Db, DbError, Tx};
use crate::domain::{Markdown, PostKind, PostStatus, TagList, Title};
use crate::render::{Rendered, RENDERER_VERSION};

/// One post as its page shows it.
#[derive(Debug, Clone)]
pub struct PostRecord {
    pub id: i64,
    pub kind: PostKind,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub author_name: String,
    pub title: String,
    pub slug: String,
    pub body_md: String,
    pub body_html: String,
    pub excerpt: String,
    pub status: PostStatus,
    pub score: i64,
    pub answer_count: i64,
    pub comment_count: i64,
    pub accepted_answer_id: Option<i64>,
    pub view_count: i64,
    pub revision_count: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub last_activity_at: i64,
    pub tags: Vec<String>,
}

impl PostRecord {
    pub fn is_published(&self) -> bool {
        self.status == PostStatus::Published
    }
}

pub(crate) const POST_COLUMNS: &str = "p.id, p.kind, p.parent_id, p.author_id, u.username AS author_name, \
     p.title, p.slug, p.body_md, p.body_html, p.excerpt, p.status, p.score, p.answer_count, \
     p.comment_count, p.accepted_answer_id, p.view_count, p.revision_count, p.created_at, p.edited_at, \
     p.last_activity_at";

fn post_from_row(row: &sqlx::any::AnyRow) -> Result<PostRecord, DbError> {
    Ok(PostRecord {
        id: row.try_get("id")?,
        kind: PostKind::from_stored(&row.try_get::<String, _>("kind")?),
        parent_id: row.try_get("parent_id")?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        title: row.try_get("title")?,
        slug: row.try_get("slug")?,
        body_md: row.try_get("body_md")?,
        body_html: row.try_get("body_html")?,
        excerpt: row.try_get("excerpt")?,
        status: PostStatus::from_stored(&row.try_get::<String, _>("status")?),
        score: row.try_get("score")?,
        answer_count: row.try_get("answer_count")?,
        comment_count: row.try_get("comment_count")?,
        accepted_answer_id: row.try_get("accepted_answer_id")?,
        view_count: row.try_get("view_count")?,
        revision_count: row.try_get("revision_count")?,
        created_at: row.try_get("created_at")?,
        edited_at: row.try_get("edited_at")?,
        last_activity_at: row.try_get("last_activity_at")?,
        tags: Vec::new(),
    })
}

/// A post to store. Articles and questions have a title and tags; answers have a parent question.
pub struct NewPost<'a> {
    pub kind: PostKind,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub title: Option<&'a Title>,
    pub body: &'a Markdown,
    /// The body as `services::render` made it.
    pub rendered: &'a Rendered,
    pub tags: Option<&'a TagList>,
    pub status: PostStatus,
}

/// New content for an existing post; `status` changes only between draft and published.
pub struct PostEdit<'a> {
    pub title: Option<&'a Title>,
    pub body: &'a Markdown,
    pub rendered: &'a Rendered,
    pub tags: Option<&'a TagList>,
    pub status: PostStatus,
    pub editor_id: i64,
}

/// Stores a post with its first revision and its tags (created on first use); an answer also bumps
/// its question's answer count and activity time, and, once published (not held), notifies the asker and the people mentioned.
pub async fn create(db: &Db, new: NewPost<'_>) -> Result<i64, DbError> {
    let rendered = new.rendered;
    let title = new.title.map(Title::as_str).unwrap_or_default();
    let slug = new.title.map(Title::slug).unwrap_or_default();
    let at = now();
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO posts (kind, parent_id, author_id, title, slug, body_md, body_html, body_text, \
         excerpt, renderer_version, status, created_at, last_activity_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(new.kind.as_str())
    .bind(new.parent_id)
    .bind(new.author_id)
    .bind(title)
    .bind(&slug)
    .bind(new.body.as_str())
    .bind(&rendered.html)
    .bind(&rendered.text)
    .bind(&rendered.excerpt)
    .bind(RENDERER_VERSION)
    .bind(new.status.as_str())
    .bind(at)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let tag_text = new.tags.map(TagList::joined).unwrap_or_default();
    revisions::insert(
        &mut tx,
        id,
        1,
        title,
        new.body.as_str(),
        &tag_text,
        new.author_id,
        at,
    )
    .await?;
    if let Some(tags) = new.tags {
        tags::replace_for_post(&mut tx, id, tags).await?;
    }
    let mut asker = None;
    if let Some(parent) = new.parent_id {
        refresh_answer_count(&mut tx, parent, at).await?;
        asker = sqlx::query_scalar("SELECT author_id FROM posts WHERE id = $1")
            .bind(parent)
            .fetch_optional(&mut *tx)
            .await?;
    }
    if new.status == PostStatus::Published {
        let published = Published {
            actor_id: new.author_id,
            post_id: id,
            comment_id: None,
            owner: asker.map(|a| (a, NotificationKind::Answer)),
            mentions: &rendered.mentions,
        };
        tell_published_in(&mut tx, published).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The post with this id, whatever its status (callers decide who may see drafts or deleted posts).
pub async fn by_id(db: &Db, id: i64) -> Result<Option<PostRecord>, DbError> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.reader())
        .await?
    else {
        return Ok(None);
    };
    let mut post = post_from_row(&row)?;
    post.tags = tags::names_for_post(db, id).await?;
    Ok(Some(post))
}

/// Replaces a post's content, keeping the old one as a revision. Returns the new revision number.
pub async fn update(db: &Db, id: i64, edit: PostEdit<'_>) -> Result<i64, DbError> {
    let rendered = edit.rendered;
    let title = edit.title.map(Title::as_str).unwrap_or_default();
    let slug = edit.title.map(Title::slug).unwrap_or_default();
    let at = now();
    let mut tx = db.begin_write().await?;
    let (revision_count, parent_id): (i64, Option<i64>) =
        sqlx::query_as("SELECT revision_count, parent_id FROM posts WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    let n = revision_count + 1;
    sqlx::query(
        "UPDATE posts SET title = $1, slug = $2, body_md = $3, body_html = $4, body_text = $5, \
         excerpt = $6, renderer_version = $7, status = $8, revision_count = $9, edited_at = $10, \
         last_activity_at = $10 WHERE id = $11",
    )
    .bind(title)
    .bind(&slug)
    .bind(edit.body.as_str())
    .bind(&rendered.html)
    .bind(&rendered.text)
    .bind(&rendered.excerpt)
    .bind(RENDERER_VERSION)
    .bind(edit.status.as_str())
    .bind(n)
    .bind(at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let tag_text = edit.tags.map(TagList::joined).unwrap_or_default();
    revisions::insert(
        &mut tx,
        id,
        n,
        title,
        edit.body.as_str(),
        &tag_text,
        edit.editor_id,
        at,
    )
    .await?;
    if let Some(tags) = edit.tags {
        tags::replace_for_post(&mut tx, id, tags).await?;
    }
    if let Some(parent) = parent_id {
        touch(&mut tx, parent, at).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// Soft-deletes a post: it disappears from pages and lists but stays in the database. Deleting an
/// accepted answer un-accepts it, and its question recounts its answers.
pub async fn soft_delete(db: &Db, id: i64) -> Result<(), DbError> {
    let at = now();
    let mut tx = db.begin_write().await?;
    let parent_id: Option<i64> = sqlx::query_scalar("SELECT parent_id FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
    sqlx::query("UPDATE posts SET status = 'deleted' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tags::recount_for_post(&mut tx, id).await?;
    if let Some(parent) = parent_id {
        // Deleting the accepted answer takes the acceptance (and its reputation) back.
        let question: Option<(Option<i64>, i64)> =
            sqlx::query_as("SELECT accepted_answer_id, author_id FROM posts WHERE id = $1")
                .bind(parent)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((_, asker)) = question.filter(|(accepted, _)| *accepted == Some(id)) {
            sqlx::query("UPDATE posts SET accepted_answer_id = NULL WHERE id = $1")
                .bind(parent)
                .execute(&mut *tx)
                .await?;
            let old = answer_ref(&mut tx, Some(id)).await?;
            super::reputation::on_accept(&mut tx, old, None, asker).await?;
        }
        refresh_answer_count(&mut tx, parent, at).await?;
    }
    tx.commit().await
}

/// What accepting changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptChange {
    pub question_id: i64,
    pub previous: Option<i64>,
    pub current: Option<i64>,
}

/// Makes `answer_id` the accepted answer of `question_id` (or clears it with `None`) in one
/// transaction, with its reputation and notification (`db::reputation::on_accept`).
pub async fn accept_answer(
    db: &Db,
    question_id: i64,
    answer_id: Option<i64>,
    accepter_id: i64,
) -> Result<AcceptChange, DbError> {
    let mut tx = db.begin_write().await?;
    // Lock the question row on PostgreSQL so two simultaneous accepts cannot both reverse the same
    // previous answer (SQLite's BEGIN IMMEDIATE already serialises them).
    let lock = match db.backend() {
        crate::db::Backend::Postgres => " FOR UPDATE",
        crate::db::Backend::Sqlite => "",
    };
    let previous: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT accepted_answer_id FROM posts WHERE id = $1{lock}"
    ))
    .bind(question_id)
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    sqlx::query("UPDATE posts SET accepted_answer_id = $1, last_activity_at = $2 WHERE id = $3")
        .bind(answer_id)
        .bind(now())
        .bind(question_id)
        .execute(&mut *tx)
        .await?;
    let old_ref = answer_ref(&mut tx, previous).await?;
    let new_ref = answer_ref(&mut tx, answer_id).await?;
    super::reputation::on_accept(&mut tx, old_ref, new_ref, accepter_id).await?;
    tx.commit().await?;
    Ok(AcceptChange {
        question_id,
        previous,
        current: answer_id,
    })
}

/// `(answer id, author id)` of an answer, as reputation wants it.
async fn answer_ref(tx: &mut Tx, answer_id: Option<i64>) -> Result<Option<(i64, i64)>, DbError> {
    let Some(id) = answer_id else { return Ok(None) };
    let author: Option<i64> = sqlx::query_scalar("SELECT author_id FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(author.map(|a| (id, a)))
}

pub(crate) async fn refresh_answer_count(
    tx: &mut Tx,
    question_id: i64,
    at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE posts SET answer_count = (SELECT COUNT(*) FROM posts a WHERE a.parent_id = $1 \
         AND a.status = 'published'), last_activity_at = $2 WHERE id = $1",
    )
    .bind(question_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn touch(tx: &mut Tx, id: i64, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE posts SET last_activity_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
