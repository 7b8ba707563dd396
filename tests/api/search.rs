//! `/search` and the index behind it: Chinese and code-aware matching, ranking, filters, escaped
//! snippets, visibility, pagination, and the demo community.
use agora::db::posts::{self, NewPost};
use agora::db::users::{self, NewUser};
use agora::domain::{Email, Markdown, PostKind, PostStatus, Role, TagList, Title, Username};
use agora::search::{self, SearchKind, SearchQuery};
use reqwest::StatusCode;

use crate::helpers::{spawn_app, TestApp};

async fn author(app: &TestApp, name: &str) -> i64 {
    let username = Username::parse(name).expect("username");
    let email = Email::parse(&format!("{name}@example.com")).expect("email");
    users::create(
        &app.db,
        NewUser {
            username: &username,
            email: &email,
            password_hash: "x",
            role: Role::Member,
            locale: None,
            signup_network: None,
        },
    )
    .await
    .expect("user stored")
}

/// A post for [`post`] to store.
struct Spec<'a> {
    author_id: i64,
    kind: PostKind,
    parent_id: Option<i64>,
    title: &'a str,
    body: &'a str,
    tags: &'a str,
    status: PostStatus,
}

/// Stores a post through the posts db function and indexes it, as the post pages do.
async fn post(app: &TestApp, spec: Spec<'_>) -> i64 {
    let title = (!spec.title.is_empty()).then(|| Title::parse(spec.title).expect("title"));
    let tags = (!spec.tags.is_empty()).then(|| TagList::parse(spec.tags).expect("tags"));
    let body = Markdown::parse(spec.body).expect("body");
    let id = posts::create(
        &app.db,
        NewPost {
            kind: spec.kind,
            parent_id: spec.parent_id,
            author_id: spec.author_id,
            title: title.as_ref(),
            body: &body,
            rendered: &agora::render::render_post_or_source(
                body.as_str(),
                agora::render::Limits::default(),
            ),
            tags: tags.as_ref(),
            status: spec.status,
        },
    )
    .await
    .expect("post stored");
    search::upsert_post(&app.db, id).await.expect("indexed");
    id
}

async fn article(app: &TestApp, author_id: i64, title: &str, body: &str, tags: &str) -> i64 {
    let spec = Spec {
        author_id,
        kind: PostKind::Article,
        parent_id: None,
        title,
        body,
        tags,
        status: PostStatus::Published,
    };
    post(app, spec).await
}

async fn search_html(app: &TestApp, query: &str) -> String {
    let (status, html) = app.get_html(&format!("/search?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}");
    html
}

async fn ids(app: &TestApp, query: SearchQuery) -> Vec<i64> {
    search::search(&app.db, &query)
        .await
        .expect("search runs")
        .iter()
        .map(|h| h.post_id)
        .collect()
}

#[tokio::test]
async fn chinese_query_finds_a_chinese_post() {
    let app = spawn_app().await;
    let me = author(&app, "wenjing").await;
    article(
        &app,
        me,
        "中文分词的常见问题与解决办法",
        "建索引之前先用结巴做中文分词，查询时也要用同样的方法。",
        "jieba",
    )
    .await;
    article(
        &app,
        me,
        "An unrelated English article",
        "Nothing Chinese in here at all.",
        "misc",
    )
    .await;

    let html = search_html(&app, "q=%E5%88%86%E8%AF%8D").await; // 分词
    assert!(html.contains("<mark>分词</mark>"), "{html}");
    assert!(html.contains("中文"), "{html}");
    assert!(!html.contains("An unrelated English article"));
}

#[tokio::test]
async fn code_identifiers_are_findable_whole() {
    let app = spawn_app().await;
    let me = author(&app, "sam_k").await;
    let code = article(
        &app,
        me,
        "Porting a model between frameworks",
        "Subclass `torch.nn.Module`, call it from C++ through ONNX, compare with GPT-2 outputs.",
        "pytorch",
    )
    .await;
    let spaced = article(
        &app,
        me,
        "A torch for every module",
        "A torch, an nn word and a module, but no identifier and no c language.",
        "misc",
    )
    .await;

    for query in ["torch.nn.Module", "c++", "gpt-2", "gpt2", "GPT-2"] {
        let found = ids(&app, SearchQuery::new(query)).await;
        assert_eq!(found, vec![code], "{query}");
    }
    let torch = ids(&app, SearchQuery::new("torch")).await;
    assert!(torch.contains(&code) && torch.contains(&spaced));
    let html = search_html(&app, "q=c%2B%2B").await;
    assert!(html.contains("<mark>C++</mark>"), "{html}");
}

#[tokio::test]
async fn a_title_match_ranks_above_a_body_match() {
    let app = spawn_app().await;
    let me = author(&app, "linxiao").await;
    let in_body = article(
        &app,
        me,
        "Notes from a long week of GPU work",
        "We profiled kernels, fixed data loaders, and tried quantization once near the end.",
        "cuda",
    )
    .await;
    let in_title = article(
        &app,
        me,
        "Quantization for beginners",
        "Fewer bits per weight make models smaller and faster.",
        "inference",
    )
    .await;
    let found = ids(&app, SearchQuery::new("quantization")).await;
    assert_eq!(found, vec![in_title, in_body]);
}

#[tokio::test]
async fn kind_and_tag_filters_narrow_the_results() {
    let app = spawn_app().await;
    let me = author(&app, "maya").await;
    let other = author(&app, "priya").await;
    let lora_article = article(
        &app,
        me,
        "LoRA adapters explained",
        "LoRA learns a low-rank update.",
        "peft",
    )
    .await;
    let question = post(
        &app,
        Spec {
            author_id: me,
            kind: PostKind::Question,
            parent_id: None,
            title: "Which LoRA rank should I use?",
            body: "Is rank 8 enough for LoRA?",
            tags: "fine-tuning",
            status: PostStatus::Published,
        },
    )
    .await;
    let answer = post(
        &app,
        Spec {
            author_id: other,
            kind: PostKind::Answer,
            parent_id: Some(question),
            title: "",
            body: "Rank 8 or 16 is the usual LoRA default.",
            tags: "",
            status: PostStatus::Published,
        },
    )
    .await;

    let mut q = SearchQuery::new("lora");
    assert_eq!(ids(&app, q.clone()).await.len(), 3);
    q.kind = Some(SearchKind::Question);
    assert_eq!(ids(&app, q.clone()).await, vec![question]);
    q.kind = Some(SearchKind::Answer);
    assert_eq!(ids(&app, q.clone()).await, vec![answer]);
    q.kind = None;
    q.tag = Some("peft".into());
    assert_eq!(ids(&app, q.clone()).await, vec![lora_article]);
    // An answer carries its question's tags.
    q.tag = Some("fine-tuning".into());
    let mut tagged = ids(&app, q).await;
    tagged.sort_unstable();
    assert_eq!(tagged, vec![question, answer]);

    let html = search_html(&app, "q=lora&kind=article").await;
    assert!(html.contains("adapters explained"));
    assert!(!html.contains("rank should I use"));
    let html = search_html(&app, "q=lora&kind=answer").await;
    assert!(
        html.contains(&format!("/questions/{question}")),
        "answers link to their question"
    );
}

#[tokio::test]
async fn snippets_escape_the_text_and_mark_matches() {
    let app = spawn_app().await;
    let me = author(&app, "mallory").await;
    article(
        &app,
        me,
        "Escaping <b>titles</b> in search",
        "Raw <script>alert(1)</script> and <img src=x onerror=alert(2)> around the kvcache word.",
        "security",
    )
    .await;
    let html = search_html(&app, "q=kvcache").await;
    assert!(html.contains("<mark>kvcache</mark>"), "{html}");
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("<b>titles</b>"));

    let html = search_html(&app, "q=titles").await;
    assert!(
        html.contains("&lt;b&gt;<mark>titles</mark>&lt;/b&gt;"),
        "{html}"
    );
}

#[tokio::test]
async fn hidden_deleted_and_draft_posts_never_show_up() {
    let app = spawn_app().await;
    let me = author(&app, "haoran").await;
    let other = author(&app, "tomas").await;
    let visible = article(
        &app,
        me,
        "Visible speculative decoding notes",
        "speculative decoding",
        "inference",
    )
    .await;
    let draft = post(
        &app,
        Spec {
            author_id: me,
            kind: PostKind::Article,
            parent_id: None,
            title: "Draft speculative decoding notes",
            body: "speculative decoding",
            tags: "inference",
            status: PostStatus::Draft,
        },
    )
    .await;
    let hidden = article(
        &app,
        me,
        "Hidden speculative decoding notes",
        "speculative decoding",
        "inference",
    )
    .await;
    let deleted = article(
        &app,
        me,
        "Deleted speculative decoding notes",
        "speculative decoding",
        "inference",
    )
    .await;
    let question = post(
        &app,
        Spec {
            author_id: me,
            kind: PostKind::Question,
            parent_id: None,
            title: "A question that gets hidden later",
            body: "What is speculative decoding?",
            tags: "inference",
            status: PostStatus::Published,
        },
    )
    .await;
    let orphan = post(
        &app,
        Spec {
            author_id: other,
            kind: PostKind::Answer,
            parent_id: Some(question),
            title: "",
            body: "Speculative decoding drafts tokens with a small model.",
            tags: "",
            status: PostStatus::Published,
        },
    )
    .await;

    // Hidden by a moderator without re-indexing: the query must still leave it out.
    sqlx::query("UPDATE posts SET status = 'hidden' WHERE id = $1 OR id = $2")
        .bind(hidden)
        .bind(question)
        .execute(app.db.writer())
        .await
        .expect("hide");
    posts::soft_delete(&app.db, deleted).await.expect("delete");

    let found = ids(&app, SearchQuery::new("speculative decoding")).await;
    assert_eq!(found, vec![visible]);
    for id in [draft, hidden, deleted, question, orphan] {
        assert!(!found.contains(&id));
    }
    let html = search_html(&app, "q=speculative").await;
    assert!(html.contains("Visible <mark>speculative</mark>"), "{html}");
    for word in [
        "Draft spec",
        "Hidden spec",
        "Deleted spec",
        "gets hidden later",
    ] {
        assert!(!html.contains(word), "{word}");
    }

    // Re-indexing removes the rows as well.
    for id in [hidden, deleted, question] {
        search::upsert_post(&app.db, id).await.expect("reindex");
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_docs")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn empty_and_punctuation_queries_get_a_friendly_page() {
    let app = spawn_app().await;
    for query in [
        "",
        "q=",
        "q=%20%20",
        "q=%21%21%21+...+%2B%2B%2B",
        "q=%22%27%3B--",
        "kind=bogus&page=abc&q=x",
    ] {
        let (status, html) = app.get_html(&format!("/search?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(html.contains("search-form"), "{query}");
    }
    let html = search_html(&app, "q=%21%21%21").await;
    assert!(html.contains("nothing to search for"), "{html}");
    let html = search_html(&app, "q=nothingmatchesthis").await;
    assert!(html.contains("Nothing matches"), "{html}");
    let (_, html) = app.get_html("/search?q=%21%21%21&lang=zh-CN").await;
    assert!(html.contains("没有可以搜索的内容"), "{html}");
}

#[tokio::test]
async fn results_are_paginated() {
    let app = spawn_app().await;
    let me = author(&app, "pager").await;
    for n in 0..23 {
        article(
            &app,
            me,
            &format!("Tokenizer note number {n}"),
            "About tokenizers.",
            "tokenizer",
        )
        .await;
    }
    let html = search_html(&app, "q=tokenizer").await;
    assert_eq!(html.matches("class=\"search-hit\"").count(), 20);
    assert!(html.contains("rel=\"next\""));
    let html = search_html(&app, "q=tokenizer&page=2").await;
    assert_eq!(html.matches("class=\"search-hit\"").count(), 3);
    assert!(html.contains("rel=\"prev\"") && !html.contains("rel=\"next\""));
}

#[tokio::test]
async fn seed_demo_fills_an_empty_database_and_refuses_a_second_time() {
    let app = spawn_app().await;
    let summary = agora::seed::seed_demo(&app.db)
        .await
        .expect("seeding an empty database");
    assert!(summary.users >= 8 && summary.articles >= 8 && summary.questions >= 20);
    assert!(summary.answers >= 20 && summary.accepted >= 10 && summary.comments >= 3);
    assert!(summary.votes > 50);

    let hits = search::search(&app.db, &SearchQuery::new("KV cache"))
        .await
        .expect("search");
    assert!(!hits.is_empty());
    assert!(
        hits.iter().any(|h| h.title.contains("KV cache")),
        "{hits:?}"
    );
    assert!(hits.iter().all(|h| !h.passage.is_empty()));
    let html = search_html(&app, "q=jieba+%E5%88%86%E8%AF%8D").await; // jieba 分词
    assert!(html.contains("的三种模式"), "{html}");
    let html = search_html(&app, "q=Microsoft.ML.OnnxRuntime").await;
    assert!(html.contains("c# 里能直接调用"), "{html}");

    match agora::seed::seed_demo(&app.db).await {
        Err(agora::seed::SeedError::NotEmpty(n)) => assert!(n > 0),
        other => panic!("a second seeding must be refused, got {other:?}"),
    }

    // Re-indexing after a renderer change re-renders and keeps every post findable.
    sqlx::query("UPDATE posts SET renderer_version = 0, body_html = ''")
        .execute(app.db.writer())
        .await
        .expect("age the posts");
    let report = search::reindex_all(&app.db).await.expect("reindex");
    assert!(report.posts_rerendered >= 40);
    let empty: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE body_html = ''")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(empty, 0);
    let hits = search::search(&app.db, &SearchQuery::new("FlashAttention"))
        .await
        .expect("search");
    assert!(!hits.is_empty());
}
