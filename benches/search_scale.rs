//! Search over many posts: inserts 20,000 articles (mostly filler from a 3,000-word vocabulary, one
//! topic word each, so a topic matches about 5% of posts), re-indexes them, and times five queries
//! twenty times. Indicative figures for the README, not a gate.
//!
//! cargo bench --bench search_scale                       (a throw-away SQLite database)
//! AGORA_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo bench --bench search_scale
//! (the PostgreSQL database must exist and be empty; AGORA_BENCH_POSTS changes the count)
use std::time::Instant;

use agora::db::{DatabaseUrl, Db};
use agora::search::{self, SearchQuery};

const WORDS: [&str; 20] = [
    "kv",
    "cache",
    "lora",
    "rank",
    "quantization",
    "int4",
    "tokenizer",
    "bpe",
    "cuda",
    "oom",
    "attention",
    "flash",
    "rag",
    "rerank",
    "embedding",
    "分词",
    "中文",
    "模型",
    "训练",
    "推理",
];

fn main() {
    let total: usize = std::env::var("AGORA_BENCH_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = std::env::temp_dir().join(format!("agora-search-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = std::env::var("AGORA_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.display()));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let db = Db::connect(&DatabaseUrl::parse(&url).expect("database url"))
            .await
            .expect("connect");
        db.migrate().await.expect("migrate");
        let author: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, username_key, email, email_key, password_hash, created_at) \
             VALUES ('bulk', 'bulk', 'bulk@example.com', 'bulk@example.com', '!', 0) RETURNING id",
        )
        .fetch_one(db.writer())
        .await
        .expect("author");
        let started = Instant::now();
        let mut tx = db.begin_write().await.expect("tx");
        for n in 0..total {
            let pick = |k: usize| WORDS[(n * 7 + k * 13) % WORDS.len()];
            let title = format!("Post {n} about {} and {}", pick(1), pick(2));
            let mut body: Vec<String> = (0..60)
                .map(|k| format!("w{}", (n * 31 + k * 97) % 3000))
                .collect();
            body.push(pick(3).to_string());
            let body = body.join(" ");
            sqlx::query(
                "INSERT INTO posts (kind, author_id, title, body_md, body_html, body_text, \
                 renderer_version, created_at, last_activity_at) \
                 VALUES ('article', $1, $2, $3, '', $3, 0, $4, $4)",
            )
            .bind(author)
            .bind(title)
            .bind(body)
            .bind(n as i64)
            .execute(&mut *tx)
            .await
            .expect("insert");
        }
        tx.commit().await.expect("commit");
        let inserted = started.elapsed();
        let started = Instant::now();
        search::reindex_all(&db).await.expect("reindex");
        let reindexed = started.elapsed();
        let queries = ["kv", "lora cache", "分词", "quantization", "w17"];
        let rounds = 20;
        let started = Instant::now();
        for _ in 0..rounds {
            for q in queries {
                search::search(&db, &SearchQuery::new(q))
                    .await
                    .expect("search");
            }
        }
        let per_query = started.elapsed() / (rounds * queries.len() as u32);
        println!(
            "{total} posts ({}): insert {inserted:?}, reindex (render + index) {reindexed:?}, \
             search {per_query:?} per query",
            if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }
        );
        db.close().await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}
