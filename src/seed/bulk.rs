//! Bulk databases for the scale bench and the query-plan check: a forum of any size written by a
//! few `INSERT … SELECT` statements that generate their rows inside the database (a recursive CTE on
//! SQLite, `generate_series` on PostgreSQL), so a million questions load in minutes. Questions come
//! with two answers, a comment, a vote and two tags each; every tenth question is unanswered, one
//! in fifty is a draft and one in ninety-seven hidden; articles, one hot topic with 200 answers and
//! 300 comments, one member (`member1`) who wrote a tenth of everything and has as many
//! notifications, resources, and the search index rows of every published post. Titles and bodies
//! come from a pool of generated texts (`seed::bulk_text`: Zipf-distributed English, Chinese and code
//! words) written once into a temporary table; each post takes the pool entry its id picks.
use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::{Any, Row};

use super::bulk_text::pool;
use crate::db::{Backend, Db};
use crate::render::RENDERER_VERSION;

/// How big a forum to build.
#[derive(Debug, Clone, Copy)]
pub struct BulkSize {
    pub questions: i64,
    pub resources: i64,
    pub tags: i64,
}

impl BulkSize {
    pub fn questions(questions: i64) -> Self {
        Self {
            questions,
            resources: 10_000,
            tags: 200,
        }
    }
}

/// What was built, for the bench to aim at (kept beside a reused bench database as JSON).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BulkForum {
    pub hot_topic_id: i64,
    pub hot_topic_slug: String,
    /// The member who wrote a tenth of the posts and has as many notifications.
    pub prolific_member: String,
    /// Every generated member's password (and the admin's).
    pub password: String,
    pub admin: String,
    pub busiest_tag: String,
    pub posts: i64,
    /// A `/questions` cursor halfway down the newest list (`created_at:id`).
    pub deep_cursor: String,
}

fn series(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
        }
        Backend::Postgres => "WITH n(i) AS (SELECT generate_series(1, $1::bigint))",
    }
}

/// The pool entry of post `id` (an SQL expression): posts of one forum spread over the whole pool.
fn text_of(id: &str, pool_param: usize) -> String {
    format!("(({id}) * 7919 % ${pool_param})")
}

/// How the generated rows join the text pool: SQLite must read the rows first and look each text up
/// (`CROSS JOIN` fixes its join order), PostgreSQL chooses.
fn join_text(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "CROSS JOIN",
        Backend::Postgres => "JOIN",
    }
}

/// How many texts the pool holds for a forum of `questions`: one per post up to a cap (a million
/// questions share 120,000 texts; word frequencies are the same).
fn pool_size(questions: i64) -> i64 {
    (3 * questions + 300).clamp(1_000, 120_000)
}

/// Writes the text pool into the temporary table `bulk_text` of this connection.
async fn load_pool(
    backend: Backend,
    conn: &mut PoolConnection<Any>,
    count: i64,
) -> anyhow::Result<()> {
    sqlx::query("DROP TABLE IF EXISTS bulk_text")
        .execute(&mut **conn)
        .await?;
    sqlx::query(
        "CREATE TEMPORARY TABLE bulk_text (id INTEGER PRIMARY KEY, title TEXT NOT NULL, \
         title_tokens TEXT NOT NULL, body TEXT NOT NULL, body_tokens TEXT NOT NULL, \
         titled_vector TEXT NOT NULL, body_vector TEXT NOT NULL)",
    )
    .execute(&mut **conn)
    .await
    .context("text pool table")?;
    let texts = pool(count as usize);
    for (chunk_index, chunk) in texts.chunks(300).enumerate() {
        let mut sql = String::from(
            "INSERT INTO bulk_text (id, title, title_tokens, body, body_tokens, titled_vector, \
             body_vector) VALUES ",
        );
        for row in 0..chunk.len() {
            let b = row * 7;
            if row > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let mut query = sqlx::query(&sql);
        for (row, text) in chunk.iter().enumerate() {
            query = query
                .bind((chunk_index * 300 + row) as i64)
                .bind(&text.title)
                .bind(&text.title_tokens)
                .bind(&text.body)
                .bind(&text.body_tokens)
                .bind(&text.titled_vector)
                .bind(&text.body_vector);
        }
        query.execute(&mut **conn).await.context("text pool")?;
    }
    // A temporary table is never analysed by autovacuum: without its size PostgreSQL plans the
    // joins on it as if it were tiny (a nested loop over a million generated rows did not finish
    // in 25 minutes at 1M questions). SQLite reads it by its key (the CROSS JOIN order).
    if backend == Backend::Postgres {
        sqlx::query("ANALYZE bulk_text")
            .execute(&mut **conn)
            .await
            .context("analyse the text pool")?;
    }
    Ok(())
}

/// On PostgreSQL, turns the counter triggers off for this connection (`session_replication_role`,
/// which a superuser may set) and says whether it did. Each of them updates one counter row per
/// inserted post; a statement inserting a million posts then writes a million versions of that row in
/// one transaction, every update walking the versions before it, and the build does not finish. The
/// counters are counted once at the end instead (`recount`). SQLite updates its rows in place.
async fn counters_off(backend: Backend, conn: &mut PoolConnection<Any>) -> anyhow::Result<bool> {
    if backend != Backend::Postgres {
        return Ok(false);
    }
    match sqlx::query("SET session_replication_role = replica")
        .execute(&mut **conn)
        .await
    {
        Ok(_) => Ok(true),
        Err(e) => {
            tracing::warn!(
                "bulk build: cannot turn the counter triggers off ({e}); building with them on"
            );
            Ok(false)
        }
    }
}

/// Leaves the connection with its triggers on whatever happened (it goes back to the pool); a
/// connection that could not turn them off refuses this too, harmlessly.
async fn triggers_back_on(backend: Backend, conn: &mut PoolConnection<Any>) {
    if backend == Backend::Postgres {
        let _ = sqlx::query("RESET session_replication_role")
            .execute(&mut **conn)
            .await;
    }
}

/// Which trigger-kept counters [`recount`] counts again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Recount {
    /// Every one: rows written.
    All,
    /// Those kept per day or per sitemap part: rows moved in time.
    Times,
}

/// Counts what the counter triggers keep (every migration's starting count, see
/// migrations/*/*_row_counts.sql, *_daily_counts.sql, *_unread_counts.sql, *_sitemap_stamps.sql)
/// over the whole database, one grouped read per table. The counter tables have no triggers of
/// their own, so this runs the same with the triggers off; [`triggers_back_on`] follows.
async fn recount(conn: &mut PoolConnection<Any>, what: Recount) -> anyhow::Result<()> {
    let totals = [
        "UPDATE row_counts SET value = 0 \
         WHERE name LIKE 'posts:%' OR name LIKE 'comments:%' OR name LIKE 'users:%'",
        "UPDATE row_counts SET value = c.n FROM (SELECT 'posts:' || kind || ':' || status AS name, \
         COUNT(*) AS n FROM posts GROUP BY kind, status) c WHERE row_counts.name = c.name",
        "UPDATE row_counts SET value = c.n FROM (SELECT 'comments:' || status AS name, \
         COUNT(*) AS n FROM comments GROUP BY status) c WHERE row_counts.name = c.name",
        "UPDATE row_counts SET value = c.n FROM (SELECT 'users:' || CASE WHEN is_bot = 1 \
         THEN 'bot' ELSE 'member' END AS name, COUNT(*) AS n FROM users GROUP BY is_bot) c \
         WHERE row_counts.name = c.name",
        "DELETE FROM unread_counts",
        "INSERT INTO unread_counts (user_id, value) \
         SELECT user_id, COUNT(*) FROM notifications WHERE read_at IS NULL GROUP BY user_id",
    ];
    let times = [
        "DELETE FROM daily_counts WHERE name IN ('posts', 'signups')",
        "INSERT INTO daily_counts (day, name, value) \
         SELECT created_at / 86400, 'posts', COUNT(*) FROM posts GROUP BY created_at / 86400",
        "INSERT INTO daily_counts (day, name, value) SELECT created_at / 86400, 'signups', COUNT(*) \
         FROM users WHERE is_bot = 0 GROUP BY created_at / 86400",
        "INSERT INTO sitemap_stamps (part, changes) \
         SELECT DISTINCT id / 49000 + 1, 1 FROM posts WHERE kind IN ('article', 'question') \
         ON CONFLICT (part) DO UPDATE SET changes = sitemap_stamps.changes + 1",
    ];
    let all = if what == Recount::All {
        &totals[..]
    } else {
        &[]
    };
    for sql in all.iter().chain(&times) {
        sqlx::query(sql)
            .execute(&mut **conn)
            .await
            .context("recount the counters")?;
    }
    Ok(())
}

/// Moves the whole forum's history `by` seconds (posts written and active, members joined), as the
/// scale bench does to make a forum built from a fixed start end an hour ago; the counters kept per
/// day follow.
pub async fn move_history(db: &Db, by: i64) -> anyhow::Result<()> {
    let backend = db.backend();
    let mut conn = db.unbounded().await?;
    let result = async {
        // Each moved post touches its sitemap part's counter: with the triggers on, PostgreSQL
        // would write 49,000 versions of each part's row in one statement (see `counters_off`).
        counters_off(backend, &mut conn).await?;
        for sql in [
            "UPDATE posts SET created_at = created_at + $1, \
             last_activity_at = last_activity_at + $1",
            "UPDATE users SET created_at = created_at + $1",
        ] {
            sqlx::query(sql)
                .bind(by)
                .execute(&mut *conn)
                .await
                .context("move the history")?;
        }
        recount(&mut conn, Recount::Times).await
    }
    .await;
    triggers_back_on(backend, &mut conn).await;
    db.release_unbounded(conn).await?;
    result
}

async fn next_id(conn: &mut PoolConnection<Any>, table: &str) -> anyhow::Result<i64> {
    let row = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS last FROM {table}"))
        .fetch_one(&mut **conn)
        .await?;
    Ok(row.try_get::<i64, _>("last")? + 1)
}

/// Fills `db` (migrated, and empty or not) with a generated forum of `size`.
pub async fn fill(db: &Db, size: BulkSize) -> anyhow::Result<BulkForum> {
    let mut conn = db.unbounded().await?;
    let result = fill_on(db.backend(), &mut conn, size).await;
    triggers_back_on(db.backend(), &mut conn).await;
    db.release_unbounded(conn).await?;
    result
}

async fn fill_on(
    backend: Backend,
    conn: &mut PoolConnection<Any>,
    size: BulkSize,
) -> anyhow::Result<BulkForum> {
    let n = size.questions.max(10);
    let members = (n / 20).max(50);
    let articles = (n / 20).max(5);
    let tags = size.tags.clamp(5, 10_000);
    let t0: i64 = 1_700_000_000;
    let password = "bench password for every member".to_string();
    let hash = crate::auth::password::hash_blocking(&password)
        .map_err(|e| anyhow::anyhow!("cannot hash the bench password: {e:?}"))?;
    let with = series(backend);
    let pool_count = pool_size(n);
    load_pool(backend, conn, pool_count).await?;
    let triggers_off = counters_off(backend, conn).await?;
    let join = join_text(backend);

    let users = next_id(conn, "users").await?;
    let posts = next_id(conn, "posts").await?;
    let tag_base = next_id(conn, "tags").await?;

    // Members, then one admin after them.
    sqlx::query(&format!(
        "{with} INSERT INTO users (id, username, username_key, email, email_key, password_hash, \
         role, reputation, trust_level, created_at, guidelines_accepted_at) \
         SELECT $2 + i - 1, 'member' || i, 'member' || i, 'member' || i || '@bench.test', \
         'member' || i || '@bench.test', $3, 'member', 100 + i % 5000, 2, $4 + i, $4 + i FROM n"
    ))
    .bind(members)
    .bind(users)
    .bind(&hash)
    .bind(t0)
    .execute(&mut **conn)
    .await
    .context("members")?;
    let admin = format!("benchadmin{users}");
    sqlx::query(
        "INSERT INTO users (id, username, username_key, email, email_key, password_hash, role, \
         reputation, trust_level, created_at, guidelines_accepted_at) \
         VALUES ($1, $2, $2, $3, $3, $4, 'admin', 10000, 4, $5, $5)",
    )
    .bind(users + members)
    .bind(&admin)
    .bind(format!("{admin}@bench.test"))
    .bind(&hash)
    .bind(t0)
    .execute(&mut **conn)
    .await
    .context("admin")?;

    // Questions at posts + 3i - 3, their answers at + 3i - 2 and + 3i - 1.
    let q_id = "($2 + 3 * i - 3)";
    sqlx::query(&format!(
        "{with} INSERT INTO posts (id, kind, parent_id, author_id, title, slug, body_md, body_html, \
         body_text, excerpt, renderer_version, status, score, answer_count, comment_count, \
         accepted_answer_id, view_count, created_at, last_activity_at, pinned) \
         SELECT {q_id}, 'question', NULL, \
         CASE WHEN i % 10 = 1 THEN $3 ELSE $3 + i % $4 END, \
         'Question ' || i || ': ' || b.title, 'question-' || i, b.body, '<p>' || b.body || '</p>', \
         b.body, b.body, $5, \
         CASE WHEN i % 50 = 0 THEN 'draft' WHEN i % 97 = 0 THEN 'hidden' ELSE 'published' END, \
         i % 7 - 1, CASE WHEN i % 10 = 0 THEN 0 ELSE 2 END, 1, \
         CASE WHEN i % 3 = 0 AND i % 10 <> 0 THEN {q_id} + 1 ELSE NULL END, i % 100, \
         $6 + i * 30, $6 + i * 30 + (i % 13) * 3600, CASE WHEN i IN (7, 11, 13) THEN 1 ELSE 0 END \
         FROM n {join} bulk_text b ON b.id = {text}",
        text = text_of(q_id, 7),
    ))
    .bind(n)
    .bind(posts)
    .bind(users)
    .bind(members)
    .bind(RENDERER_VERSION)
    .bind(t0)
    .bind(pool_count)
    .execute(&mut **conn)
    .await
    .context("questions")?;
    // Answer j belongs to question (j + 1) / 2; every tenth question's answers are hidden.
    let a_id = "($2 + 3 * ((i + 1) / 2) - 3 + 2 - i % 2)";
    sqlx::query(&format!(
        "{with} INSERT INTO posts (id, kind, parent_id, author_id, title, slug, body_md, body_html, \
         body_text, excerpt, renderer_version, status, score, created_at, last_activity_at) \
         SELECT {a_id}, 'answer', $2 + 3 * ((i + 1) / 2) - 3, \
         CASE WHEN ((i + 1) / 2) % 10 = 1 THEN $3 ELSE $3 + (i * 7) % $4 END, '', '', b.body, \
         '<p>' || b.body || '</p>', b.body, b.body, $5, \
         CASE WHEN ((i + 1) / 2) % 10 = 0 THEN 'hidden' ELSE 'published' END, \
         (i * 7) % 11 - 3, $6 + ((i + 1) / 2) * 30 + 10 + i % 2, \
         $6 + ((i + 1) / 2) * 30 + 10 + i % 2 FROM n {join} bulk_text b ON b.id = {text}",
        text = text_of(a_id, 7),
    ))
    .bind(2 * n)
    .bind(posts)
    .bind(users)
    .bind(members)
    .bind(RENDERER_VERSION)
    .bind(t0)
    .bind(pool_count)
    .execute(&mut **conn)
    .await
    .context("answers")?;
    // Articles after the questions, one in twenty-five a draft.
    let a_base = posts + 3 * n;
    sqlx::query(&format!(
        "{with} INSERT INTO posts (id, kind, author_id, title, slug, body_md, body_html, body_text, \
         excerpt, renderer_version, status, score, created_at, last_activity_at) \
         SELECT $2 + i - 1, 'article', $3 + i % $4, 'Article ' || i || ': ' || b.title, \
         'article-' || i, b.body, '<p>' || b.body || '</p>', b.body, b.body, $5, \
         CASE WHEN i % 25 = 0 THEN 'draft' ELSE 'published' END, i % 9, \
         $6 + i * 600, $6 + i * 600 FROM n {join} bulk_text b ON b.id = {text}",
        text = text_of("$2 + i - 1", 7),
    ))
    .bind(articles)
    .bind(a_base)
    .bind(users)
    .bind(members)
    .bind(RENDERER_VERSION)
    .bind(t0)
    .bind(pool_count)
    .execute(&mut **conn)
    .await
    .context("articles")?;
    // The hot topic and its 200 answers.
    let hot = a_base + articles;
    let now = t0 + n * 30 + 100_000;
    sqlx::query(&format!(
        "INSERT INTO posts (id, kind, author_id, title, slug, body_md, body_html, body_text, excerpt, \
         renderer_version, status, score, answer_count, comment_count, accepted_answer_id, \
         created_at, last_activity_at) SELECT $1, 'question', $2, 'The hot topic: ' || b.title, \
         'the-hot-topic', b.body, '<p>' || b.body || '</p>', b.body, b.body, $3, 'published', 250, \
         200, 100, $4, $5, $5 FROM bulk_text b WHERE b.id = {text}",
        text = text_of("$1", 6),
    ))
    .bind(hot)
    .bind(users + 1)
    .bind(RENDERER_VERSION)
    .bind(hot + 51)
    .bind(now)
    .bind(pool_count)
    .execute(&mut **conn)
    .await
    .context("hot topic")?;
    sqlx::query(&format!(
        "{with} INSERT INTO posts (id, kind, parent_id, author_id, title, slug, body_md, body_html, \
         body_text, excerpt, renderer_version, status, score, comment_count, created_at, \
         last_activity_at) \
         SELECT $2 + i, 'answer', $2, $3 + i % $4, '', '', b.body, '<p>' || b.body || '</p>', \
         b.body, b.body, $5, 'published', (i * 37) % 101 - 20, CASE WHEN i <= 50 THEN 4 ELSE 0 END, \
         $6 + i, $6 + i FROM n {join} bulk_text b ON b.id = {text}",
        text = text_of("$2 + i", 7),
    ))
    .bind(200_i64)
    .bind(hot)
    .bind(users)
    .bind(members)
    .bind(RENDERER_VERSION)
    .bind(now)
    .bind(pool_count)
    .execute(&mut **conn)
    .await
    .context("hot answers")?;
    let total_posts = 3 * n + articles + 201;

    // Comments: one on each question, then 100 on the hot topic and 4 on each of its first 50 answers.
    let comment_base = next_id(conn, "comments").await?;
    sqlx::query(&format!(
        "{with} INSERT INTO comments (id, post_id, author_id, body_md, body_html, renderer_version, \
         status, created_at) \
         SELECT $2 + i - 1, $3 + 3 * i - 3, $4 + (i * 3) % $5, 'Thanks, this helped ' || i, \
         '<p>Thanks, this helped ' || i || '</p>', 1, 'published', $6 + i * 30 + 20 FROM n"
    ))
    .bind(n)
    .bind(comment_base)
    .bind(posts)
    .bind(users)
    .bind(members)
    .bind(t0)
    .execute(&mut **conn)
    .await
    .context("comments")?;
    sqlx::query(&format!(
        "{with} INSERT INTO comments (id, post_id, author_id, body_md, body_html, renderer_version, \
         status, created_at) \
         SELECT $2 + i - 1, CASE WHEN i <= 100 THEN $3 ELSE $3 + (i - 97) / 4 END, $4 + i % $5, \
         'Hot comment ' || i, '<p>Hot comment ' || i || '</p>', 1, 'published', $6 + i FROM n"
    ))
    .bind(300_i64)
    .bind(comment_base + n)
    .bind(hot)
    .bind(users)
    .bind(members)
    .bind(now)
    .execute(&mut **conn)
    .await
    .context("hot comments")?;

    // One vote on every question.
    sqlx::query(&format!(
        "{with} INSERT INTO votes (user_id, target_kind, target_id, value, created_at) \
         SELECT $2 + (i * 13) % $3, 'question', $4 + 3 * i - 3, 1, $5 + i * 30 + 25 FROM n"
    ))
    .bind(n)
    .bind(users)
    .bind(members)
    .bind(posts)
    .bind(t0)
    .execute(&mut **conn)
    .await
    .context("votes")?;

    // Tags, two per topic (questions and articles).
    sqlx::query(&format!(
        "{with} INSERT INTO tags (id, name, description, created_at) \
         SELECT $2 + i - 1, 'topic' || i, 'Generated tag ' || i, $3 FROM n"
    ))
    .bind(tags)
    .bind(tag_base)
    .bind(t0)
    .execute(&mut **conn)
    .await
    .context("tags")?;
    for (count, base, stride) in [(n, posts, 3), (articles, a_base, 1)] {
        for second in [false, true] {
            let tag = if second {
                "$4 + ((i % $3) + 1 + i % 3) % $3"
            } else {
                "$4 + i % $3"
            };
            sqlx::query(&format!(
                "{with} INSERT INTO post_tags (post_id, tag_id) \
                 SELECT $2 + {stride} * (i - 1), {tag} FROM n"
            ))
            .bind(count)
            .bind(base)
            .bind(tags)
            .bind(tag_base)
            .execute(&mut **conn)
            .await
            .context("post tags")?;
        }
    }
    sqlx::query(
        "UPDATE tags SET post_count = (SELECT COUNT(*) FROM post_tags pt JOIN posts p \
         ON p.id = pt.post_id WHERE pt.tag_id = tags.id AND p.status = 'published') WHERE id >= $1",
    )
    .bind(tag_base)
    .execute(&mut **conn)
    .await
    .context("tag counts")?;

    // member1's notifications: one for each answer to their questions.
    let notification_base = next_id(conn, "notifications").await?;
    sqlx::query(&format!(
        "{with} INSERT INTO notifications (id, user_id, kind, actor_id, post_id, detail, created_at, \
         read_at) \
         SELECT $2 + i - 1, $3, 'answer', $3 + 1, $4 + 3 * (10 * ((i - 1) / 2) + 1) - 3 + 1 + i % 2, \
         '', $5 + i * 15, CASE WHEN i % 4 = 0 THEN NULL ELSE $5 + i * 15 + 5 END FROM n"
    ))
    .bind(2 * (n / 10).max(1))
    .bind(notification_base)
    .bind(users)
    .bind(posts)
    .bind(t0)
    .execute(&mut **conn)
    .await
    .context("notifications")?;

    // Resources of every kind, nine in ten approved, each with a tag.
    let resource_base = next_id(conn, "resources").await?;
    sqlx::query(&format!(
        "{with} INSERT INTO resources (id, kind, title, url, url_key, authors, year, level, language, \
         description_md, description_html, description_text, submitted_by, status, score, created_at, \
         updated_at) \
         SELECT $2 + i - 1, CASE i % 6 WHEN 0 THEN 'book' WHEN 1 THEN 'course' WHEN 2 THEN 'paper' \
         WHEN 3 THEN 'tool' WHEN 4 THEN 'model' ELSE 'dataset' END, 'Resource ' || i, \
         'https://example.org/r/' || ($2 + i), 'example.org/r/' || ($2 + i), 'Author ' || i, \
         2000 + i % 26, CASE i % 3 WHEN 0 THEN 'beginner' WHEN 1 THEN 'intermediate' \
         ELSE 'advanced' END, CASE WHEN i % 2 = 0 THEN 'en' ELSE 'zh' END, 'About resource ' || i, \
         '<p>About resource ' || i || '</p>', 'About resource ' || i, $3 + i % $4, \
         CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'approved' END, i % 50, $5 + i, $5 + i FROM n"
    ))
    .bind(size.resources.max(1))
    .bind(resource_base)
    .bind(users)
    .bind(members)
    .bind(t0)
    .execute(&mut **conn)
    .await
    .context("resources")?;
    sqlx::query(&format!(
        "{with} INSERT INTO resource_tags (resource_id, tag) SELECT $2 + i - 1, 'topic' || (i % 20) \
         FROM n"
    ))
    .bind(size.resources.max(1))
    .bind(resource_base)
    .execute(&mut **conn)
    .await
    .context("resource tags")?;

    index_posts(backend, conn, posts, pool_count).await?;
    if triggers_off {
        recount(conn, Recount::All).await?;
    }
    sqlx::query("DROP TABLE bulk_text")
        .execute(&mut **conn)
        .await
        .context("text pool")?;
    if backend == Backend::Postgres {
        for table in [
            "users",
            "posts",
            "comments",
            "tags",
            "notifications",
            "resources",
            "search_docs",
        ] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .execute(&mut **conn)
            .await
            .with_context(|| format!("sequence of {table}"))?;
        }
    }
    // PostgreSQL: analysed and vacuumed, so the bulk rows are marked visible (index-only scans need
    // no heap visit, and the first readers do not set hint bits) and planned with statistics, as on
    // a forum autovacuum keeps. SQLite is left without statistics: the server never runs ANALYZE,
    // so a forum in production is planned by SQLite's own rules, and so are the bench and the plan
    // check that fill a forum here.
    if backend == Backend::Postgres {
        sqlx::query("VACUUM ANALYZE")
            .execute(&mut **conn)
            .await
            .context("vacuum analyze")?;
    }
    Ok(BulkForum {
        hot_topic_id: hot,
        hot_topic_slug: "the-hot-topic".into(),
        prolific_member: "member1".into(),
        password,
        admin,
        busiest_tag: "topic1".into(),
        posts: total_posts,
        deep_cursor: format!("{}:{}", t0 + (n / 2) * 30, posts + 3 * (n / 2) - 3),
    })
}

/// The search rows of every published post from `first_id` on, tokenised the way
/// `search::index::write_doc` does (each pool text was tokenised once, in Rust).
async fn index_posts(
    backend: Backend,
    conn: &mut PoolConnection<Any>,
    first_id: i64,
    pool_count: i64,
) -> anyhow::Result<()> {
    let doc_base = next_id(conn, "search_docs").await?;
    let join = join_text(backend);
    match backend {
        Backend::Sqlite => {
            sqlx::query(
                "INSERT INTO search_docs (id, source, source_id, kind, updated_at) \
                 SELECT $1 + p.id - $2, 'post', p.id, p.kind, p.created_at FROM posts p \
                 WHERE p.id >= $2 AND p.status = 'published'",
            )
            .bind(doc_base)
            .bind(first_id)
            .execute(&mut **conn)
            .await
            .context("search docs")?;
            sqlx::query(&format!(
                "INSERT INTO search_fts (rowid, title, context, body, kind) \
                 SELECT d.id, CASE WHEN p.title = '' THEN '' ELSE b.title_tokens END, '', \
                 b.body_tokens, p.kind FROM search_docs d JOIN posts p ON p.id = d.source_id \
                 {join} bulk_text b ON b.id = {text} \
                 WHERE d.id >= $1 AND d.source = 'post'",
                text = text_of("p.id", 2),
            ))
            .bind(doc_base)
            .bind(pool_count)
            .execute(&mut **conn)
            .await
            .context("search text")?;
        }
        Backend::Postgres => {
            sqlx::query(&format!(
                "INSERT INTO search_docs (id, source, source_id, kind, tokens, updated_at) \
                 SELECT $1 + p.id - $2, 'post', p.id, p.kind, \
                 (CASE WHEN p.title = '' THEN b.body_vector ELSE b.titled_vector END)::tsvector, \
                 p.created_at FROM posts p {join} bulk_text b ON b.id = {text} \
                 WHERE p.id >= $2 AND p.status = 'published'",
                text = text_of("p.id", 3),
            ))
            .bind(doc_base)
            .bind(first_id)
            .bind(pool_count)
            .execute(&mut **conn)
            .await
            .context("search docs")?;
        }
    }
    Ok(())
}
