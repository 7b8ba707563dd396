//! `agora seed-demo`: fills an empty database with a small demo community (users, articles,
//! questions, answers, comments, votes, tags; Chinese and English) through the same db functions
//! the web pages use, then indexes every post for search.
pub mod bulk;
pub mod bulk_text;
pub mod content;

use std::collections::HashMap;

use anyhow::Context;
use rand::RngCore;

use crate::auth::password;
use crate::config::Settings;
use crate::db::comments::NewComment;
use crate::db::posts::NewPost;
use crate::db::users::{CreateUserError, NewUser};
use crate::db::votes::TargetKind;
use crate::db::{self, now, Db, DbError};
use crate::domain::{Email, Markdown, PostKind, PostStatus, Role, TagList, Title, Username};
use crate::render::{render_comment_or_source, render_post_or_source, Limits, RENDERER_VERSION};
use crate::search;
use content::{Block, BlockKind};

/// What the seeding stored.
#[derive(Debug, Default, Clone, Copy)]
pub struct SeedSummary {
    pub users: usize,
    pub articles: usize,
    pub questions: usize,
    pub answers: usize,
    pub accepted: usize,
    pub comments: usize,
    pub votes: usize,
    pub tags: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the database already holds {0} posts; seed-demo only fills an empty database")]
    NotEmpty(i64),
    #[error("the demo content is invalid: {0}")]
    Content(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Other(String),
}

/// Seconds in a day, for the `days_ago` dates of the demo content.
const DAY: i64 = 86_400;

/// Number of posts of any kind and status.
pub async fn post_count(db: &Db) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(db.reader())
        .await
}

/// Seeds the demo community into an empty database.
pub async fn seed_demo(db: &Db) -> Result<SeedSummary, SeedError> {
    let existing = post_count(db).await?;
    if existing > 0 {
        return Err(SeedError::NotEmpty(existing));
    }
    let blocks = content::parse(content::DEMO_FORUM).map_err(SeedError::Content)?;
    let mut summary = SeedSummary::default();
    let base_time = now();

    let mut users: HashMap<String, i64> = HashMap::new();
    let mut user_order: Vec<i64> = Vec::new();
    for block in blocks.iter().filter(|b| b.kind == BlockKind::User) {
        let id = create_user(db, block).await?;
        users.insert(block.key.clone(), id);
        user_order.push(id);
        summary.users += 1;
    }
    let author = |block: &Block| {
        users
            .get(block.field("author"))
            .copied()
            .ok_or_else(|| SeedError::Content(format!("{}: unknown author", block.key)))
    };

    // key -> (post id, kind, author id, created_at)
    let mut posts: HashMap<String, (i64, PostKind, i64, i64)> = HashMap::new();
    let mut answers_per_question: HashMap<String, i64> = HashMap::new();
    for block in &blocks {
        let (kind, parent) = match block.kind {
            BlockKind::Article => (PostKind::Article, None),
            BlockKind::Question => (PostKind::Question, None),
            BlockKind::Answer => {
                let parent_key = block.parent.clone().unwrap_or_default();
                let parent = posts.get(&parent_key).copied().ok_or_else(|| {
                    SeedError::Content(format!("{}: no question {parent_key}", block.key))
                })?;
                (PostKind::Answer, Some((parent_key, parent)))
            }
            BlockKind::User | BlockKind::Comment => continue,
        };
        let author_id = author(block)?;
        let body = Markdown::parse(&block.body).map_err(|e| invalid(block, e.key))?;
        let title = match kind {
            PostKind::Answer => None,
            _ => Some(Title::parse(block.field("title")).map_err(|e| invalid(block, e.key))?),
        };
        let tags = match kind {
            PostKind::Answer => None,
            _ => Some(TagList::parse(block.field("tags")).map_err(|e| invalid(block, e.key))?),
        };
        let rendered = render_post_or_source(body.as_str(), Limits::default());
        let id = db::posts::create(
            db,
            NewPost {
                kind,
                parent_id: parent.as_ref().map(|(_, p)| p.0),
                author_id,
                title: title.as_ref(),
                body: &body,
                rendered: &rendered,
                tags: tags.as_ref(),
                status: PostStatus::Published,
            },
        )
        .await?;
        // Answers arrive a few hours after their question, one after another.
        let created_at = match &parent {
            Some((parent_key, (_, _, _, asked_at))) => {
                let n = answers_per_question.entry(parent_key.clone()).or_insert(0);
                *n += 1;
                (asked_at + *n * 3 * 3600 + 1200).min(base_time - 60)
            }
            None => base_time - block.number("days_ago") * DAY - spread(&block.key),
        };
        backdate_post(db, id, created_at).await?;
        posts.insert(block.key.clone(), (id, kind, author_id, created_at));
        match kind {
            PostKind::Article => summary.articles += 1,
            PostKind::Question => summary.questions += 1,
            _ => summary.answers += 1,
        }
        if block.flag("accepted") {
            if let Some((_, (question_id, _, asker_id, _))) = &parent {
                db::posts::accept_answer(db, *question_id, Some(id), *asker_id).await?;
                summary.accepted += 1;
            }
        }
        summary.votes +=
            cast_votes(db, &user_order, author_id, kind, id, block.number("votes")).await?;
    }

    for block in blocks.iter().filter(|b| b.kind == BlockKind::Comment) {
        let parent_key = block.parent.clone().unwrap_or_default();
        let (post_id, _, _, posted_at) = posts
            .get(&parent_key)
            .copied()
            .ok_or_else(|| SeedError::Content(format!("comment: no post {parent_key}")))?;
        let target = db::comments::target(db, post_id).await?.ok_or_else(|| {
            SeedError::Content(format!("comment: {parent_key} takes no comments"))
        })?;
        let rendered = render_comment_or_source(&block.body, Limits::default());
        let comment_id = db::comments::create(
            db,
            NewComment {
                post: &target,
                author_id: author(block)?,
                body_md: &block.body,
                body_html: &rendered.html,
                renderer_version: RENDERER_VERSION,
                mentions: &rendered.mentions,
                status: crate::domain::CommentStatus::Published,
            },
        )
        .await?;
        sqlx::query("UPDATE comments SET created_at = $1 WHERE id = $2")
            .bind((posted_at + 5400).min(base_time - 30))
            .bind(comment_id)
            .execute(db.writer())
            .await?;
        summary.comments += 1;
    }

    settle_activity_times(db).await?;
    for (post_id, _, _, _) in posts.values() {
        search::upsert_post(db, *post_id).await?;
    }
    summary.tags = sqlx::query_scalar("SELECT COUNT(*) FROM tags")
        .fetch_one(db.reader())
        .await?;
    Ok(summary)
}

fn invalid(block: &Block, key: &str) -> SeedError {
    SeedError::Content(format!("{}: {key}", block.key))
}

/// A stable few hours' offset per post so posts of the same day do not share a timestamp.
fn spread(key: &str) -> i64 {
    let sum: i64 = key.bytes().map(i64::from).sum();
    (sum % 12) * 3600 + (sum % 60) * 60
}

/// Demo users get a password nobody knows (the hash of random bytes): they exist to have written
/// the posts, not to log in.
async fn create_user(db: &Db, block: &Block) -> Result<i64, SeedError> {
    let username = Username::parse(block.field("name")).map_err(|e| invalid(block, e.key))?;
    let email = Email::parse(&format!("{}@demo.agora.example", block.key))
        .map_err(|e| invalid(block, e.key))?;
    let mut secret = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let hash = password::hash(hex::encode(secret))
        .await
        .map_err(|e| SeedError::Other(format!("password hashing failed: {e:?}")))?;
    let new = NewUser {
        username: &username,
        email: &email,
        password_hash: &hash,
        role: Role::Member,
        locale: None,
        signup_network: None,
    };
    let id = match db::users::create(db, new).await {
        Ok(id) => id,
        Err(CreateUserError::UsernameTaken) => {
            return Err(SeedError::Other(format!(
                "the username {username} is taken"
            )))
        }
        Err(CreateUserError::EmailTaken) => {
            return Err(SeedError::Other(format!(
                "the email of {username} is taken"
            )))
        }
        Err(CreateUserError::Db(e)) => return Err(e.into()),
    };
    let bio = block.field("bio");
    sqlx::query("UPDATE users SET bio_md = $1, bio_html = $2, created_at = $3 WHERE id = $4")
        .bind(bio)
        .bind(render_comment_or_source(bio, Limits::default()).html)
        .bind(now() - 60 * DAY)
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(id)
}

/// `votes` up (or down) votes from other demo users, through the same function the vote button uses.
async fn cast_votes(
    db: &Db,
    users: &[i64],
    author_id: i64,
    kind: PostKind,
    post_id: i64,
    votes: i64,
) -> Result<usize, SeedError> {
    let Some(target) = TargetKind::of_post_kind(kind.as_str()) else {
        return Ok(0);
    };
    let value = votes.signum();
    let mut cast = 0;
    let start = usize::try_from(post_id).unwrap_or(0) % users.len().max(1);
    let voters = users.iter().cycle().skip(start).take(users.len());
    for voter in voters
        .filter(|v| **v != author_id)
        .take(votes.unsigned_abs() as usize)
    {
        db::votes::cast(db, *voter, target, post_id, value)
            .await
            .map_err(|e| SeedError::Other(format!("vote on post {post_id}: {e}")))?;
        cast += 1;
    }
    Ok(cast)
}

/// Demo posts are written now but dated in the past.
async fn backdate_post(db: &Db, post_id: i64, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE posts SET created_at = $1, last_activity_at = $1 WHERE id = $2")
        .bind(at)
        .bind(post_id)
        .execute(db.writer())
        .await?;
    sqlx::query("UPDATE post_revisions SET at = $1 WHERE post_id = $2")
        .bind(at)
        .bind(post_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// A question's last activity is its newest answer (answering and accepting stamped "now").
async fn settle_activity_times(db: &Db) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE posts SET last_activity_at = COALESCE(\
         (SELECT MAX(a.created_at) FROM posts a WHERE a.parent_id = posts.id), posts.created_at)",
    )
    .execute(db.writer())
    .await?;
    Ok(())
}

async fn open(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database_url)
        .await
        .context("cannot open the database at DATABASE_URL")?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

/// `agora seed-demo [--hint]`. With `--hint` it only prints how to seed when the database is empty
/// (for `make run`), and never fails the caller.
pub async fn run_cli(settings: &Settings, hint_only: bool) -> anyhow::Result<()> {
    if hint_only {
        // A database that cannot be opened is reported by `serve`, which runs next.
        if let Ok(db) = open(settings).await {
            if post_count(&db).await.unwrap_or(1) == 0 {
                println!(
                    "The forum is empty. To fill it with a demo community (articles, questions, \
                     answers, comments in English and Chinese), run `make run SEED=1` or \
                     `cargo run --release -- seed-demo`."
                );
            }
            db.close().await;
        }
        return Ok(());
    }
    let db = open(settings).await?;
    let result = seed_demo(&db).await;
    // Long demo posts get their summary drafts from the server's job worker.
    let mut summaries = 0;
    if result.is_ok() {
        for topic in db::ai::public_topics(&db).await? {
            if crate::services::summaries::post_changed(&db, topic.id).await? {
                summaries += 1;
            }
        }
    }
    db.close().await;
    let s = result?;
    println!(
        "seeded the demo community: {} users, {} articles, {} questions, {} answers ({} accepted), \
         {} comments, {} votes, {} tags; every post is indexed for search; {summaries} summary \
         drafts queued for the server to write",
        s.users, s.articles, s.questions, s.answers, s.accepted, s.comments, s.votes, s.tags
    );
    Ok(())
}
