//! Follows: a member watches or mutes a tag, or watches a question or article (authors watch their
//! own topics from the start, as on Discourse). Watched activity — a new answer or comment on a
//! watched topic, a new topic in a watched tag — becomes an in-app notification through
//! [`super::notifications::deliver`]; muted tags leave the member's lists (`db::posts::lists`).
use std::time::Duration;

use super::gate::{WriteError, Writer};
use crate::app::App;
use crate::auth::{policy, rate_limit};
use crate::db;
use crate::db::follows::{Level, Target};
use crate::db::notifications::{Kind, NewNotification};
use crate::domain::PostKind;

/// Follow changes one member may make per hour.
const CHANGES_PER_HOUR: u32 = 300;

/// What a member asks to follow, as they named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowTarget {
    Tag(String),
    Post(i64),
}

/// Why a follow change did not happen.
#[derive(Debug, thiserror::Error)]
pub enum FollowRefusal {
    #[error(transparent)]
    Write(#[from] WriteError),
    /// No such tag, or no question or article the member may open.
    #[error("no such target")]
    NotFound,
    /// Topics are watched or left alone; only tags are muted.
    #[error("topics cannot be muted")]
    MuteTopic,
}

impl From<crate::error::AppError> for FollowRefusal {
    fn from(e: crate::error::AppError) -> Self {
        FollowRefusal::Write(WriteError::Failed(e))
    }
}

impl From<sqlx::Error> for FollowRefusal {
    fn from(e: sqlx::Error) -> Self {
        FollowRefusal::Write(e.into())
    }
}

/// Sets the writer's level for a tag or topic (`None` = normal). Returns the tag's or topic's page.
pub async fn set(
    app: &App,
    writer: Writer<'_>,
    target: &FollowTarget,
    level: Option<Level>,
) -> Result<String, FollowRefusal> {
    let (target, url) = match target {
        FollowTarget::Tag(name) => {
            let tag = db::posts::tags::by_name(&app.db, name)
                .await?
                .ok_or(FollowRefusal::NotFound)?;
            (
                Target::Tag(tag.id),
                crate::domain::paths::tag_url(&tag.name),
            )
        }
        FollowTarget::Post(id) => {
            let post = db::posts::by_id(&app.db, *id)
                .await?
                .filter(|p| matches!(p.kind, PostKind::Question | PostKind::Article))
                .filter(|p| policy::post_visible(p, Some(writer.user)))
                .ok_or(FollowRefusal::NotFound)?;
            if level == Some(Level::Mute) {
                return Err(FollowRefusal::MuteTopic);
            }
            let url = crate::domain::paths::post_url(post.kind, post.id, &post.slug, None);
            (Target::Post(post.id), url)
        }
    };
    let bucket = format!("follow:user:{}", writer.user.id);
    let budget = rate_limit::Budget {
        bucket: &bucket,
        limit: CHANGES_PER_HOUR,
        window: Duration::from_secs(3600),
    };
    rate_limit::hit(&app.db, &budget).await?;
    db::follows::set(&app.db, writer.user.id, target, level).await?;
    Ok(url)
}

/// A new published topic: its author watches it, and the watchers of its tags are told.
pub async fn topic_created(app: &App, topic_id: i64, author_id: i64) {
    let result = async {
        db::follows::set(
            &app.db,
            author_id,
            Target::Post(topic_id),
            Some(Level::Watch),
        )
        .await?;
        let watchers = db::follows::tag_watchers(&app.db, topic_id, author_id).await?;
        let notices = watchers
            .into_iter()
            .map(|user_id| notice(user_id, Kind::WatchedTag, author_id, topic_id, None))
            .collect();
        super::notifications::deliver(app, notices).await
    }
    .await;
    log_failure(result, "topic watchers");
}

/// A new published answer: the question's watchers are told, except the asker (told already as
/// the asker) and the answerer.
pub async fn answered(app: &App, question_id: i64, asker_id: i64, answer_id: i64, actor_id: i64) {
    let result = async {
        let watchers = db::follows::topic_watchers(&app.db, question_id, actor_id).await?;
        let notices = watchers
            .into_iter()
            .filter(|w| *w != asker_id)
            .map(|user_id| notice(user_id, Kind::WatchedAnswer, actor_id, answer_id, None))
            .collect();
        super::notifications::deliver(app, notices).await
    }
    .await;
    log_failure(result, "answer watchers");
}

/// A new published comment on `post_id` (a topic, or an answer in topic `topic_id`): the topic's
/// watchers are told, except the commenter and `already_told` (the post's author).
pub async fn commented(
    app: &App,
    topic_id: i64,
    post_id: i64,
    comment_id: i64,
    actor_id: i64,
    already_told: &[i64],
) {
    let result = async {
        let watchers = db::follows::topic_watchers(&app.db, topic_id, actor_id).await?;
        let notices = watchers
            .into_iter()
            .filter(|w| !already_told.contains(w))
            .map(|user_id| {
                notice(
                    user_id,
                    Kind::WatchedComment,
                    actor_id,
                    post_id,
                    Some(comment_id),
                )
            })
            .collect();
        super::notifications::deliver(app, notices).await
    }
    .await;
    log_failure(result, "comment watchers");
}

fn notice(
    user_id: i64,
    kind: Kind,
    actor_id: i64,
    post_id: i64,
    comment_id: Option<i64>,
) -> NewNotification {
    NewNotification {
        user_id,
        kind,
        actor_id: Some(actor_id),
        post_id: Some(post_id),
        comment_id,
        detail: String::new(),
    }
}

/// The write these follow has succeeded; a failed fan-out is logged, not shown to its author.
fn log_failure(result: Result<Vec<i64>, WriteError>, what: &str) {
    if let Err(error) = result {
        tracing::warn!(%error, what, "watched-activity notifications failed");
    }
}
