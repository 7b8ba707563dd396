//! What the API returns: the JSON shapes of posts, comments, tags, members, resources and search
//! hits, each built from the records `db` reads (never the raw rows: no e-mail, no hashes).
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::comments::PublishedComment;
use crate::db::posts::lists::PostSummary;
use crate::db::posts::tags::TagRecord;
use crate::db::posts::PostRecord;
use crate::db::resources::ResourceRecord;
use crate::db::users::UserRecord;
use crate::domain::paths;
use crate::search::SearchHit;

/// A question or article as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostSummaryOut {
    pub id: i64,
    /// `question` or `article`.
    pub kind: String,
    pub title: String,
    /// The post's page.
    pub url: String,
    pub excerpt: String,
    pub author: String,
    pub score: i64,
    pub answer_count: i64,
    pub view_count: i64,
    pub has_accepted_answer: bool,
    /// Unix seconds (UTC).
    pub created_at: i64,
    pub last_activity_at: i64,
    pub tags: Vec<String>,
}

impl From<PostSummary> for PostSummaryOut {
    fn from(p: PostSummary) -> Self {
        PostSummaryOut {
            url: paths::post_url(p.kind, p.id, &p.slug, None),
            id: p.id,
            kind: p.kind.as_str().to_string(),
            title: p.title,
            excerpt: p.excerpt,
            author: p.author_name,
            score: p.score,
            answer_count: p.answer_count,
            view_count: p.view_count,
            has_accepted_answer: p.has_accepted,
            created_at: p.created_at,
            last_activity_at: p.last_activity_at,
            tags: p.tags,
        }
    }
}

/// One post (question, article or answer) with its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostOut {
    pub id: i64,
    /// `question`, `article`, `answer` or `bot_answer`.
    pub kind: String,
    /// The question an answer belongs to.
    pub question_id: Option<i64>,
    /// Empty for answers.
    pub title: String,
    pub url: String,
    /// `published`, or `pending` / `hidden` / `draft` for what only its author (and staff) see.
    pub status: String,
    pub author: String,
    pub body_markdown: String,
    /// Sanitised HTML, as the page shows it.
    pub body_html: String,
    pub score: i64,
    pub answer_count: i64,
    pub comment_count: i64,
    pub accepted_answer_id: Option<i64>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub tags: Vec<String>,
}

impl From<PostRecord> for PostOut {
    fn from(p: PostRecord) -> Self {
        PostOut {
            url: paths::post_url(p.kind, p.id, &p.slug, p.parent_id),
            id: p.id,
            kind: p.kind.as_str().to_string(),
            question_id: p.parent_id,
            title: p.title,
            status: p.status.as_str().to_string(),
            author: p.author_name,
            body_markdown: p.body_md,
            body_html: p.body_html,
            score: p.score,
            answer_count: p.answer_count,
            comment_count: p.comment_count,
            accepted_answer_id: p.accepted_answer_id,
            created_at: p.created_at,
            edited_at: p.edited_at,
            tags: p.tags,
        }
    }
}

/// A published comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    pub id: i64,
    pub post_id: i64,
    pub author: String,
    pub body_markdown: String,
    pub body_html: String,
    pub score: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

impl From<PublishedComment> for CommentOut {
    fn from(c: PublishedComment) -> Self {
        CommentOut {
            id: c.id,
            post_id: c.post_id,
            author: c.author,
            body_markdown: c.body_md,
            body_html: c.body_html,
            score: c.score,
            created_at: c.created_at,
            edited_at: c.edited_at,
        }
    }
}

/// A tag and how many posts carry it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagOut {
    pub name: String,
    pub description: String,
    pub post_count: i64,
    pub url: String,
}

impl From<TagRecord> for TagOut {
    fn from(t: TagRecord) -> Self {
        TagOut {
            url: paths::tag_url(&t.name),
            name: t.name,
            description: t.description,
            post_count: t.post_count,
        }
    }
}

/// A member's public profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    /// `member`, `moderator` or `admin`.
    pub role: String,
    pub reputation: i64,
    pub trust_level: i64,
    pub created_at: i64,
    pub url: String,
}

impl From<UserRecord> for UserOut {
    fn from(u: UserRecord) -> Self {
        UserOut {
            url: paths::profile_url(&u.username),
            id: u.id,
            role: u.role.as_str().to_string(),
            username: u.username,
            reputation: u.reputation,
            trust_level: u.trust_level,
            created_at: u.created_at,
        }
    }
}

/// A listed resource (book, course, paper, tool, model, dataset).
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceOut {
    pub id: i64,
    pub kind: String,
    pub title: String,
    /// Where the resource itself lives.
    pub link: String,
    /// Its page on the forum.
    pub url: String,
    pub authors: String,
    pub year: Option<i64>,
    pub identifier: Option<String>,
    pub level: Option<String>,
    pub language: String,
    pub licence: String,
    pub description_html: String,
    pub submitter: String,
    /// `approved`, or `pending` / `rejected` for what only its submitter (and staff) see.
    pub status: String,
    pub score: i64,
    pub created_at: i64,
    pub tags: Vec<String>,
}

impl From<ResourceRecord> for ResourceOut {
    fn from(r: ResourceRecord) -> Self {
        ResourceOut {
            url: paths::resource_url(r.id),
            id: r.id,
            kind: r.kind,
            title: r.title,
            link: r.url,
            authors: r.authors,
            year: r.year,
            identifier: r.identifier,
            level: r.level,
            language: r.language,
            licence: r.licence,
            description_html: r.description_html,
            submitter: r.submitter,
            status: r.status.as_str().to_string(),
            score: r.score,
            created_at: r.created_at,
            tags: r.tags,
        }
    }
}

/// A search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitOut {
    pub post_id: i64,
    /// `article`, `question` or `answer`.
    pub kind: String,
    /// The post's title; for an answer, its question's title.
    pub title: String,
    pub question_id: Option<i64>,
    pub url: String,
    pub author: String,
    pub score: i64,
    pub accepted: bool,
    pub created_at: i64,
    /// Escaped text around the first match, matches in `<mark>`.
    pub snippet_html: String,
}

impl From<SearchHit> for SearchHitOut {
    fn from(h: SearchHit) -> Self {
        SearchHitOut {
            post_id: h.post_id,
            kind: h.kind,
            title: h.title,
            question_id: h.question_id,
            url: h.url,
            author: h.author,
            score: h.score,
            accepted: h.accepted,
            created_at: h.created_at,
            snippet_html: h.snippet_html,
        }
    }
}

/// What a write created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: i64,
    pub url: String,
    /// `published`, or `pending` when a rule held it for review.
    pub status: String,
}
