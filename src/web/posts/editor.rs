//! The post editor shared by articles, questions and answers: the submitted form, its parsing into
//! domain types, and the page that shows it (again, with the input kept, when something is wrong).
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;
use serde::Deserialize;

use super::views::{HeadMeta, SummaryView};
use crate::domain::{Markdown, TagList, Title, TopicInput};
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::web::context::Page;
use crate::web::form::FormErrors;

/// `title`, `body`, `tags` as typed; `draft=1` saves a draft; `check_similar` asks for duplicates
/// without saving (the no-JavaScript path of the ask page).
#[derive(Deserialize, Default, Clone)]
pub struct PostForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub draft: Option<String>,
    #[serde(default)]
    pub check_similar: Option<String>,
}

impl PostForm {
    pub fn wants_draft(&self) -> bool {
        self.draft
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "0")
    }

    pub fn wants_similar_check(&self) -> bool {
        self.check_similar.is_some()
    }
}

/// Parses title, body and tags, collecting every problem at once.
pub fn parse_topic(form: &PostForm, t: &Catalog) -> Result<TopicInput, FormErrors> {
    let mut errors = FormErrors::default();
    let title = Title::parse(&form.title)
        .map_err(|e| errors.add(&e, t))
        .ok();
    let body = Markdown::parse(&form.body)
        .map_err(|e| errors.add(&e, t))
        .ok();
    let tags = TagList::parse(&form.tags)
        .map_err(|e| errors.add(&e, t))
        .ok();
    match (title, body, tags) {
        (Some(title), Some(body), Some(tags)) => Ok(TopicInput { title, body, tags }),
        _ => Err(errors),
    }
}

/// Parses an answer's body.
pub fn parse_body(body: &str, t: &Catalog) -> Result<Markdown, FormErrors> {
    Markdown::parse(body).map_err(|e| {
        let mut errors = FormErrors::default();
        errors.add(&e, t);
        errors
    })
}

/// What kind of editor a page shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EditorKind {
    NewArticle,
    EditArticle,
    Ask,
    EditQuestion,
    EditAnswer,
}

#[derive(Template)]
#[template(path = "posts/editor.html")]
pub struct EditorPage {
    pub page: Page,
    pub head: HeadMeta,
    pub heading: String,
    pub action: String,
    pub has_title: bool,
    pub allow_draft: bool,
    pub is_ask: bool,
    pub title: String,
    pub body: String,
    pub tags: String,
    pub errors: FormErrors,
    pub similar: Vec<SimilarItem>,
    pub similar_checked: bool,
    pub cancel_url: String,
}

/// A possible duplicate shown under the ask form.
pub struct SimilarItem {
    pub title: String,
    pub url: String,
    pub answer_count: i64,
    pub has_accepted: bool,
}

impl SimilarItem {
    pub fn from_summary(s: &SummaryView) -> Self {
        SimilarItem {
            title: s.title.clone(),
            url: s.url.clone(),
            answer_count: s.answer_count,
            has_accepted: s.has_accepted,
        }
    }
}

impl EditorPage {
    pub fn new(
        page: Page,
        kind: EditorKind,
        action: String,
        form: &PostForm,
        cancel_url: String,
    ) -> Self {
        let t = page.t;
        let heading = match kind {
            EditorKind::NewArticle => t.get("post.new_article"),
            EditorKind::EditArticle => t.get("post.edit_article"),
            EditorKind::Ask => t.get("post.ask_heading"),
            EditorKind::EditQuestion => t.get("post.edit_question"),
            EditorKind::EditAnswer => t.get("post.edit_answer"),
        }
        .to_string();
        EditorPage {
            page,
            head: HeadMeta::editor(),
            heading,
            action,
            has_title: kind != EditorKind::EditAnswer,
            allow_draft: matches!(kind, EditorKind::NewArticle | EditorKind::EditArticle),
            is_ask: kind == EditorKind::Ask,
            title: form.title.clone(),
            body: form.body.clone(),
            tags: form.tags.clone(),
            errors: FormErrors::default(),
            similar: Vec::new(),
            similar_checked: false,
            cancel_url,
        }
    }

    pub fn with_errors(mut self, errors: FormErrors) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_similar(mut self, similar: Vec<SimilarItem>) -> Self {
        self.similar = similar;
        self.similar_checked = true;
        self
    }

    pub fn ok(&self) -> Result<HttpResponse, AppError> {
        crate::web::ok(self)
    }

    /// The form again with what was typed and why it was refused.
    pub fn rejected(&self) -> Result<HttpResponse, AppError> {
        crate::web::render(self, StatusCode::UNPROCESSABLE_ENTITY)
    }
}
