//! Articles, questions and answers: writing, asking, answering, editing, deleting and accepting. Each
//! function is the whole write: gate -> render -> store -> after-write -> reindex -> queue AI work.
use super::gate::{after_write, gate, WriteError, Writer};
use super::webhooks::{self, Event};
use super::{index, render};
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::posts::{AcceptChange, NewPost, PostEdit, PostRecord};
use crate::domain::paths::post_url;
use crate::domain::{Markdown, PostKind, PostStatus, TopicInput};
use crate::moderation::{Action, Content, Target};

/// What a write stored, and where the author goes next.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: i64,
    pub status: PostStatus,
    /// A hold rule matched: it waits for review, seen only by its author and staff.
    pub held: bool,
    pub url: String,
}

/// Publishes an article, or saves it as a draft only its author sees.
pub async fn write_article(
    app: &App,
    writer: Writer<'_>,
    topic: &TopicInput,
    draft: bool,
) -> Result<Written, WriteError> {
    let wanted = if draft {
        PostStatus::Draft
    } else {
        PostStatus::Published
    };
    create_topic(app, writer, PostKind::Article, topic, wanted).await
}

/// Asks a question.
pub async fn ask(app: &App, writer: Writer<'_>, topic: &TopicInput) -> Result<Written, WriteError> {
    create_topic(
        app,
        writer,
        PostKind::Question,
        topic,
        PostStatus::Published,
    )
    .await
}

async fn create_topic(
    app: &App,
    writer: Writer<'_>,
    kind: PostKind,
    topic: &TopicInput,
    wanted: PostStatus,
) -> Result<Written, WriteError> {
    let content = Content::new(topic.title.as_str(), topic.body.as_str());
    let verdict = gate(app, writer, Action::CreatePost, content).await?;
    let rendered = render::post(app, topic.body.as_str()).await?;
    let status = verdict.post_status(wanted);
    let id = db::posts::create(
        &app.db,
        NewPost {
            kind,
            parent_id: None,
            author_id: writer.user.id,
            title: Some(&topic.title),
            body: &topic.body,
            rendered: &rendered,
            tags: Some(&topic.tags),
            status,
        },
    )
    .await?;
    after_write(app, writer, &verdict, Target::Post(id)).await?;
    index::post_changed(app, id).await;
    let new_question = kind == PostKind::Question && status == PostStatus::Published;
    super::summaries::queue_after_write(app, id, new_question).await;
    let url = post_url(kind, id, &topic.title.slug(), None);
    if status == PostStatus::Published {
        let event = Event::PostCreated {
            id,
            kind,
            author_id: writer.user.id,
            url: url.clone(),
        };
        webhooks::emit(app, event).await;
        super::follows::topic_created(app, id, writer.user.id).await;
    }
    Ok(Written {
        id,
        status,
        held: verdict.is_held(),
        url,
    })
}

/// Answers a published question (the caller checked it is open).
pub async fn answer(
    app: &App,
    writer: Writer<'_>,
    question: &PostRecord,
    body: &Markdown,
) -> Result<Written, WriteError> {
    let verdict = gate(
        app,
        writer,
        Action::CreatePost,
        Content::body(body.as_str()),
    )
    .await?;
    let rendered = render::post(app, body.as_str()).await?;
    let status = verdict.post_status(PostStatus::Published);
    let id = db::posts::create(
        &app.db,
        NewPost {
            kind: PostKind::Answer,
            parent_id: Some(question.id),
            author_id: writer.user.id,
            title: None,
            body,
            rendered: &rendered,
            tags: None,
            status,
        },
    )
    .await?;
    after_write(app, writer, &verdict, Target::Post(id)).await?;
    index::post_changed(app, id).await;
    let url = post_url(PostKind::Answer, id, "", Some(question.id));
    if status == PostStatus::Published {
        let event = Event::PostCreated {
            id,
            kind: PostKind::Answer,
            author_id: writer.user.id,
            url: url.clone(),
        };
        webhooks::emit(app, event).await;
        super::follows::answered(app, question.id, question.author_id, id, writer.user.id).await;
    }
    Ok(Written {
        id,
        status,
        held: verdict.is_held(),
        url,
    })
}

/// Edits an article or question: a new revision. Only the author moves a post between draft and
/// published (`wants_draft`); publishing a draft is when it first appears, so the rules for new posts
/// apply to it.
pub async fn edit_topic(
    app: &App,
    writer: Writer<'_>,
    post: &PostRecord,
    topic: &TopicInput,
    wants_draft: bool,
) -> Result<Written, WriteError> {
    let by_author = writer.user.id == post.author_id;
    let drafts = post.kind == PostKind::Article && by_author;
    let publishes_draft = post.status == PostStatus::Draft && by_author && !wants_draft;
    let action = if publishes_draft {
        Action::CreatePost
    } else {
        Action::EditPost
    };
    let content = Content::new(topic.title.as_str(), topic.body.as_str());
    let verdict = gate(app, writer, action, content).await?;
    let rendered = render::post(app, topic.body.as_str()).await?;
    let status = match post.status {
        PostStatus::Draft | PostStatus::Published if drafts => {
            if wants_draft {
                PostStatus::Draft
            } else {
                PostStatus::Published
            }
        }
        other => other,
    };
    db::posts::update(
        &app.db,
        post.id,
        PostEdit {
            title: Some(&topic.title),
            body: &topic.body,
            rendered: &rendered,
            tags: Some(&topic.tags),
            status,
            editor_id: writer.user.id,
        },
    )
    .await?;
    after_write(app, writer, &verdict, Target::Post(post.id)).await?;
    index::post_changed(app, post.id).await;
    super::summaries::queue_after_write(app, post.id, false).await;
    if publishes_draft && status == PostStatus::Published {
        // A draft appears now: its author watches it and its tags' watchers hear of it.
        super::follows::topic_created(app, post.id, post.author_id).await;
    }
    let url = post_url(post.kind, post.id, &topic.title.slug(), None);
    emit_edited(app, writer, post, status, &url).await;
    Ok(Written {
        id: post.id,
        status,
        held: verdict.is_held(),
        url,
    })
}

/// Edits an answer's body: a new revision.
pub async fn edit_answer(
    app: &App,
    writer: Writer<'_>,
    answer: &PostRecord,
    body: &Markdown,
) -> Result<Written, WriteError> {
    let verdict = gate(app, writer, Action::EditPost, Content::body(body.as_str())).await?;
    let rendered = render::post(app, body.as_str()).await?;
    db::posts::update(
        &app.db,
        answer.id,
        PostEdit {
            title: None,
            body,
            rendered: &rendered,
            tags: None,
            status: answer.status,
            editor_id: writer.user.id,
        },
    )
    .await?;
    after_write(app, writer, &verdict, Target::Post(answer.id)).await?;
    index::post_changed(app, answer.id).await;
    let url = post_url(answer.kind, answer.id, "", answer.parent_id);
    emit_edited(app, writer, answer, answer.status, &url).await;
    Ok(Written {
        id: answer.id,
        status: answer.status,
        held: verdict.is_held(),
        url,
    })
}

/// Tells webhooks about an edit of a post the public sees.
async fn emit_edited(
    app: &App,
    writer: Writer<'_>,
    post: &PostRecord,
    status: PostStatus,
    url: &str,
) {
    if status == PostStatus::Published {
        let event = Event::PostEdited {
            id: post.id,
            kind: post.kind,
            editor_id: writer.user.id,
            url: url.to_string(),
        };
        webhooks::emit(app, event).await;
    }
}

/// Soft-deletes a post (the caller checked `policy::may_delete_post`); it leaves every list and the
/// search index.
pub async fn delete(app: &App, post: &PostRecord) -> Result<(), WriteError> {
    db::posts::soft_delete(&app.db, post.id).await?;
    index::post_changed(app, post.id).await;
    Ok(())
}

/// Marks `answer_id` accepted on its question, or clears the mark with `None` (the caller checked
/// `policy::may_accept_answer`). Reputation and the notification move in the same transaction.
pub async fn accept(
    app: &App,
    accepter: &CurrentUser,
    question: &PostRecord,
    answer_id: Option<i64>,
) -> Result<AcceptChange, WriteError> {
    let change = db::posts::accept_answer(&app.db, question.id, answer_id, accepter.id).await?;
    if let Some(answer_id) = change.current.filter(|id| change.previous != Some(*id)) {
        let event = Event::AnswerAccepted {
            question_id: question.id,
            answer_id,
        };
        webhooks::emit(app, event).await;
    }
    Ok(change)
}
