//! What templates show about posts, already formatted: templates loop and branch, never compute.

use crate::auth::CurrentUser;
use crate::db::posts::lists::PostSummary;
use crate::db::posts::PostRecord;
use crate::domain::{PostKind, PostStatus};

pub struct TagLink {
    pub name: String,
    pub url: String,
}

pub fn tag_links(names: &[String]) -> Vec<TagLink> {
    names
        .iter()
        .map(|name| TagLink {
            name: name.clone(),
            url: crate::domain::paths::tag_url(name),
        })
        .collect()
}

/// A post's language from its title and the prose of its body (the excerpt leaves code out).
fn post_lang(title: &str, excerpt: &str) -> &'static str {
    crate::i18n::detect_lang(&format!("{title} {excerpt}"))
}

/// One post on its page.
pub struct PostView {
    pub id: i64,
    pub kind: &'static str,
    pub is_bot: bool,
    pub title: String,
    pub url: String,
    /// Sanitised when the post was written (`render::render_post`); the only HTML marked safe.
    pub body_html: String,
    pub excerpt: String,
    /// The language the post is written in (`lang` on its title and body).
    pub lang: &'static str,
    pub author_name: String,
    pub author_url: String,
    pub score: i64,
    pub view_count: i64,
    pub answer_count: i64,
    pub created: String,
    pub edited: Option<String>,
    pub revision_count: i64,
    pub is_draft: bool,
    pub tags: Vec<TagLink>,
    pub edit_url: String,
    pub delete_url: String,
    pub revisions_url: String,
    pub can_edit: bool,
    pub can_delete: bool,
    /// Hidden pending review (only its author and staff see it).
    pub is_hidden: bool,
    /// Signed in and not the author: may flag it.
    pub can_flag: bool,
}

impl PostView {
    pub fn new(post: &PostRecord, viewer: Option<&CurrentUser>) -> Self {
        // The short address: edit, delete and revision links hang off it.
        let base = crate::domain::paths::post_url(post.kind, post.id, "", None);
        PostView {
            id: post.id,
            kind: post.kind.as_str(),
            is_bot: post.kind == PostKind::BotAnswer,
            title: post.title.clone(),
            url: crate::domain::paths::post_url(post.kind, post.id, &post.slug, post.parent_id),
            body_html: post.body_html.clone(),
            excerpt: post.excerpt.clone(),
            lang: post_lang(&post.title, &post.excerpt),
            author_name: post.author_name.clone(),
            author_url: format!(
                "/u/{}",
                crate::domain::paths::encode_segment(&post.author_name)
            ),
            score: post.score,
            view_count: post.view_count,
            answer_count: post.answer_count,
            created: crate::web::format::time(post.created_at),
            edited: post.edited_at.map(crate::web::format::time),
            revision_count: post.revision_count,
            is_draft: post.status == PostStatus::Draft,
            tags: tag_links(&post.tags),
            edit_url: format!("{base}/edit"),
            delete_url: format!("{base}/delete"),
            revisions_url: format!("{base}/revisions"),
            can_edit: viewer.is_some_and(|u| crate::auth::policy::may_edit_post(u, post.author_id)),
            can_delete: viewer
                .is_some_and(|u| crate::auth::policy::may_delete_post(u, post.author_id)),
            is_hidden: matches!(post.status, PostStatus::Hidden | PostStatus::Pending),
            can_flag: viewer.is_some_and(|u| u.id != post.author_id),
        }
    }
}

/// One row of a list.
pub struct SummaryView {
    pub id: i64,
    pub kind: &'static str,
    pub title: String,
    pub url: String,
    pub excerpt: String,
    /// The language the post is written in (`lang` on its title and excerpt).
    pub lang: &'static str,
    pub author_name: String,
    pub author_url: String,
    pub score: i64,
    pub answer_count: i64,
    pub view_count: i64,
    pub has_accepted: bool,
    pub created: String,
    pub active: String,
    pub tags: Vec<TagLink>,
}

impl SummaryView {
    pub fn new(post: &PostSummary) -> Self {
        SummaryView {
            id: post.id,
            kind: post.kind.as_str(),
            title: post.title.clone(),
            url: crate::domain::paths::post_url(post.kind, post.id, &post.slug, None),
            excerpt: post.excerpt.clone(),
            lang: post_lang(&post.title, &post.excerpt),
            author_name: post.author_name.clone(),
            author_url: format!(
                "/u/{}",
                crate::domain::paths::encode_segment(&post.author_name)
            ),
            score: post.score,
            answer_count: post.answer_count,
            view_count: post.view_count,
            has_accepted: post.has_accepted,
            created: crate::web::format::time(post.created_at),
            active: crate::web::format::time(post.last_activity_at),
            tags: tag_links(&post.tags),
        }
    }

    pub fn list(posts: &[PostSummary]) -> Vec<Self> {
        posts.iter().map(Self::new).collect()
    }
}

/// Open Graph and feed links for a post page's `<head>`.
pub struct HeadMeta {
    pub og_type: &'static str,
    pub title: String,
    pub description: String,
    pub url: String,
    pub has_content: bool,
}

impl HeadMeta {
    pub fn for_post(post: &PostRecord, origin: &str) -> Self {
        HeadMeta {
            og_type: "article",
            title: post.title.clone(),
            description: post.excerpt.clone(),
            url: format!(
                "{origin}{}",
                crate::domain::paths::post_url(post.kind, post.id, &post.slug, post.parent_id)
            ),
            has_content: true,
        }
    }

    /// Editor pages load the content styles and scripts (preview) but describe nothing.
    pub fn editor() -> Self {
        HeadMeta {
            og_type: "",
            title: String::new(),
            description: String::new(),
            url: String::new(),
            has_content: false,
        }
    }
}
