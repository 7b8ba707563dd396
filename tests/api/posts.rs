//! Articles, questions and answers: writing, drafts, editing, revisions, tags, lists, accepting,
//! similar questions, feeds, and keeping user input harmless and never lost.
use agora::db::posts::NewPost;
use agora::domain::{Markdown, PostKind, PostStatus, TagList, Title};
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, TestApp};

/// The id in a post URL such as `/questions/12/some-slug`.
fn id_in(url: &str) -> i64 {
    url.split('/')
        .nth(2)
        .and_then(|s| s.split('#').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no post id in {url}"))
}

async fn ask(app: &TestApp, title: &str, body: &str, tags: &str) -> (i64, String) {
    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[("title", title), ("body", body), ("tags", tags)],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "question {title:?} is accepted"
    );
    let url = location(&res);
    (id_in(&url), url)
}

async fn write_article(
    app: &TestApp,
    title: &str,
    body: &str,
    tags: &str,
    draft: bool,
) -> (i64, String) {
    let mut fields = vec![("title", title), ("body", body), ("tags", tags)];
    if draft {
        fields.push(("draft", "1"));
    }
    let res = app.submit("/articles/new", "/articles", &fields).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "article {title:?} is accepted"
    );
    let url = location(&res);
    (id_in(&url), url)
}

async fn answer(app: &TestApp, question_url: &str, question_id: i64, body: &str) -> i64 {
    let res = app
        .submit(
            question_url,
            &format!("/questions/{question_id}/answers"),
            &[("body", body)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "answer is accepted");
    let url = location(&res);
    url.rsplit_once("#answer-")
        .and_then(|(_, id)| id.parse().ok())
        .unwrap_or_else(|| panic!("no answer id in {url}"))
}

#[tokio::test]
async fn ask_answer_and_accept_only_by_the_asker() {
    let app = spawn_app().await;
    app.sign_up("asker").await;
    let (qid, url) = ask(
        &app,
        "How do I load a LoRA adapter?",
        "I have a **base model**.",
        "lora, PyTorch",
    )
    .await;
    assert!(
        url.starts_with(&format!("/questions/{qid}/how-do-i-load-a-lora-adapter")),
        "{url}"
    );
    let (status, html) = app.get_html(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<strong>base model</strong>"),
        "body rendered"
    );
    assert!(
        html.contains("href=\"/tags/pytorch\""),
        "tags normalised and linked"
    );

    app.logout().await;
    app.sign_up("helper").await;
    let first = answer(&app, &url, qid, "Use `PeftModel.from_pretrained`.").await;
    let second = answer(&app, &url, qid, "Merge the weights first.").await;
    let (_, html) = app.get_html(&url).await;
    assert!(html.contains("PeftModel.from_pretrained"));
    assert!(html.contains("2 answers"), "answer count shown");

    // Only the asker may accept.
    let res = app
        .submit(&url, &format!("/answers/{first}/accept"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    app.logout().await;
    app.login("asker", crate::helpers::PASSWORD).await;
    let res = app
        .submit(&url, &format!("/answers/{second}/accept"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_html(&url).await;
    let accepted_pos = html
        .find(&format!("id=\"answer-{second}\""))
        .expect("second shown");
    let other_pos = html
        .find(&format!("id=\"answer-{first}\""))
        .expect("first shown");
    assert!(accepted_pos < other_pos, "the accepted answer comes first");
    assert!(html.contains("Accepted answer"), "marked accepted");

    // Changing the accepted answer, then taking it back.
    app.submit(&url, &format!("/answers/{first}/accept"), &[])
        .await;
    let question = agora::db::posts::by_id(&app.db, qid)
        .await
        .expect("db")
        .expect("question");
    assert_eq!(question.accepted_answer_id, Some(first));
    app.submit(
        &url,
        &format!("/answers/{first}/accept"),
        &[("accept", "0")],
    )
    .await;
    let question = agora::db::posts::by_id(&app.db, qid)
        .await
        .expect("db")
        .expect("question");
    assert_eq!(question.accepted_answer_id, None);
}

async fn user_id(app: &TestApp, name: &str) -> i64 {
    agora::db::users::by_username(&app.db, name)
        .await
        .expect("db")
        .expect("user exists")
        .id
}

/// Stores a post straight through `db::posts::create` (fast set-up for list tests).
async fn seed(
    app: &TestApp,
    kind: PostKind,
    author: i64,
    title: &str,
    tags: &str,
    parent: Option<i64>,
) -> i64 {
    let title = Title::parse(title).expect("valid title");
    let body = Markdown::parse("Seeded body text.").expect("valid body");
    let tags = TagList::parse(tags).expect("valid tags");
    let topic = parent.is_none();
    agora::db::posts::create(
        &app.db,
        NewPost {
            kind,
            parent_id: parent,
            author_id: author,
            title: topic.then_some(&title),
            body: &body,
            tags: topic.then_some(&tags),
            status: PostStatus::Published,
        },
    )
    .await
    .expect("seeded post")
}

/// Follows `rel="next"` links from `first`, collecting the post ids each page lists (in order).
async fn walk(app: &TestApp, first: &str, marker: &str) -> (Vec<i64>, usize) {
    let mut ids = Vec::new();
    let mut next = Some(first.to_string());
    let mut pages = 0;
    while let Some(url) = next.take() {
        let (status, html) = app.get_html(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        pages += 1;
        for piece in html.split(marker).skip(1) {
            let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
            ids.push(digits.parse::<i64>().expect("id after marker"));
        }
        next = html
            .split("<a rel=\"next\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|href| href.replace("&amp;", "&").replace("&#38;", "&"));
        assert!(pages < 100, "pagination does not end: {url}");
    }
    (ids, pages)
}

#[tokio::test]
async fn articles_are_rendered_once_and_found_at_their_canonical_address() {
    let app = spawn_app().await;
    app.sign_up("writer").await;
    let body = "Intro with $E = mc^2$.\n\n```rust\nfn main() {}\n```\n\n```mermaid\ngraph TD; A-->B;\n```\n";
    let (id, url) = write_article(
        &app,
        "注意力机制 Attention explained",
        body,
        "transformers, 深度学习",
        false,
    )
    .await;
    assert_eq!(
        url,
        format!("/articles/{id}/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6-attention-explained")
    );
    let (status, html) = app.get_html(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<math"), "MathML rendered on the server");
    assert!(
        html.contains("mermaid"),
        "Mermaid diagram kept for the client"
    );
    assert!(
        html.contains("/static/css/content.css") && html.contains("/static/js/mermaid-init.js")
    );
    assert!(
        html.contains("/static/js/editor-preview.js")
            && html.contains("/static/js/remote-images.js")
    );
    assert!(html.contains("property=\"og:title\" content=\"注意力机制 Attention explained\""));

    let stored = agora::db::posts::by_id(&app.db, id)
        .await
        .expect("db")
        .expect("post");
    assert_eq!(stored.tags, ["transformers", "深度学习"]);
    assert!(
        stored.body_html.contains("<math"),
        "HTML stored at write time"
    );

    // Wrong or missing slug: a permanent redirect to the canonical address.
    for wrong in [
        format!("/articles/{id}"),
        format!("/articles/{id}/old-title"),
    ] {
        let res = app.get(&wrong).await;
        assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY, "{wrong}");
        assert_eq!(location(&res), url);
    }
    // Views are counted.
    app.get_html(&url).await;
    let stored = agora::db::posts::by_id(&app.db, id)
        .await
        .expect("db")
        .expect("post");
    assert_eq!(stored.view_count, 2);

    let (_, list) = app.get_html("/articles").await;
    assert!(list.contains("注意力机制 Attention explained"));
    assert_eq!(
        app.get("/articles/999999/x").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn preview_renders_markdown_like_saving_does() {
    let app = spawn_app().await;
    app.sign_up("previewer").await;
    let res = app
        .submit(
            "/articles/new",
            "/preview",
            &[("body", "**bold** and $x^2$ <script>alert(1)</script>")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("<strong>bold</strong>"));
    assert!(html.contains("<math"));
    assert!(
        !html.contains("<script>"),
        "raw HTML is never passed through: {html}"
    );
    let (_, editor) = app.get_html("/articles/new").await;
    assert!(editor.contains("data-preview-target=\"preview\""));
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_log_in_from_write_pages() {
    let app = spawn_app().await;
    for path in ["/articles/new", "/questions/ask"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&res).starts_with("/login?next="), "{path}");
    }
}

#[tokio::test]
async fn drafts_are_visible_only_to_their_author_until_published() {
    let app = spawn_app().await;
    app.sign_up("drafter").await;
    let (id, url) = write_article(
        &app,
        "A draft about diffusion models",
        "Not ready yet.",
        "diffusion",
        true,
    )
    .await;
    assert_eq!(
        app.get(&url).await.status(),
        StatusCode::OK,
        "the author sees the draft"
    );
    let (_, list) = app.get_html("/articles").await;
    assert!(list.contains("Your drafts") && list.contains("A draft about diffusion models"));

    let (other, _) = app.new_browser();
    let res = other.get(app.url(&url)).send().await.expect("get");
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "anonymous readers get 404"
    );
    let res = other.get(app.url("/articles")).send().await.expect("get");
    assert!(
        !res.text().await.expect("body").contains("diffusion models"),
        "not listed"
    );
    let res = other
        .get(app.url("/tags/diffusion"))
        .send()
        .await
        .expect("get");
    assert!(
        !res.text().await.expect("body").contains("diffusion models"),
        "not on the tag page"
    );
    app.logout().await;
    app.sign_up("snoop").await;
    assert_eq!(
        app.get(&url).await.status(),
        StatusCode::NOT_FOUND,
        "other members get 404"
    );
    assert_eq!(
        app.get(&format!("/articles/{id}/edit")).await.status(),
        StatusCode::NOT_FOUND
    );

    app.logout().await;
    app.login("drafter", crate::helpers::PASSWORD).await;
    let res = app
        .submit(
            &format!("/articles/{id}/edit"),
            &format!("/articles/{id}/edit"),
            &[
                ("title", "A draft about diffusion models"),
                ("body", "Ready now."),
                ("tags", "diffusion"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = other.get(app.url(&url)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK, "published for everyone");
}

#[tokio::test]
async fn only_authors_staff_and_2000_reputation_may_edit_and_revisions_show_a_diff() {
    let app = spawn_app().await;
    app.sign_up("author").await;
    let (id, url) = write_article(
        &app,
        "Tuning learning rates",
        "Start with 3e-4.\nUse warmup.",
        "optimisation",
        false,
    )
    .await;
    let edit = format!("/articles/{id}/edit");
    app.logout().await;
    app.sign_up("editor").await;
    assert_eq!(app.get(&edit).await.status(), StatusCode::FORBIDDEN);
    let res = app
        .submit(
            &url,
            &edit,
            &[
                ("title", "Vandalised title here"),
                ("body", "x"),
                ("tags", "spam"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let editor = user_id(&app, "editor").await;
    sqlx::query("UPDATE users SET reputation = 2000 WHERE id = $1")
        .bind(editor)
        .execute(app.db.writer())
        .await
        .expect("grant reputation");
    assert_eq!(app.get(&edit).await.status(), StatusCode::OK);
    let res = app
        .submit(
            &edit,
            &edit,
            &[
                ("title", "Tuning learning rates well"),
                ("body", "Start with 1e-4.\nUse warmup."),
                ("tags", "optimisation, training"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (status, html) = app.get_html(&format!("/articles/{id}/revisions")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<del>3e-4.</del>") || html.contains("<del>3e-4"),
        "old words struck out: {html}"
    );
    assert!(html.contains("<ins>1e-4"), "new words marked");
    assert!(
        html.contains("editor") && html.contains("author"),
        "who edited"
    );
    let (status, html) = app
        .get_html(&format!("/articles/{id}/revisions?from=2&to=1"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<ins>3e-4"), "any two revisions compare");
    assert_eq!(
        app.get(&format!("/articles/{id}/revisions?from=1&to=9"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn soft_deleted_posts_disappear_but_stay_stored() {
    let app = spawn_app().await;
    app.sign_up("deleter").await;
    let (id, url) = ask(
        &app,
        "Why does my loss go to NaN?",
        "After epoch 3.",
        "training",
    )
    .await;
    let res = app
        .submit(&url, &format!("/questions/{id}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&url).await.status(), StatusCode::NOT_FOUND);
    let (_, list) = app.get_html("/questions").await;
    assert!(!list.contains("loss go to NaN"));
    let stored = agora::db::posts::by_id(&app.db, id)
        .await
        .expect("db")
        .expect("still stored");
    assert_eq!(stored.status, PostStatus::Deleted);
    let tag = agora::db::posts::tags::by_name(&app.db, "training")
        .await
        .expect("db")
        .expect("tag");
    assert_eq!(tag.post_count, 0, "deleted posts are not counted");
}

#[tokio::test]
async fn tags_are_normalised_limited_and_listed() {
    let app = spawn_app().await;
    app.sign_up("tagger").await;
    let (_, url) = ask(
        &app,
        "Linking C++ code into a Python wheel",
        "With pybind11.",
        " C++ , Python Packaging,c++",
    )
    .await;
    let (_, html) = app.get_html(&url).await;
    assert!(
        html.contains("href=\"/tags/c%2B%2B\""),
        "c++ kept and linked"
    );
    assert!(
        html.contains("href=\"/tags/python-packaging\""),
        "spaces become dashes"
    );

    let (status, tag_page) = app.get_html("/tags/c%2B%2B").await;
    assert_eq!(status, StatusCode::OK);
    assert!(tag_page.contains("Linking C++ code into a Python wheel"));
    let (_, tags) = app.get_html("/tags").await;
    assert!(tags.contains("python-packaging"));

    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[
                ("title", "Too many tags on this one"),
                ("body", "Body stays."),
                ("tags", "a,b,c,d,e,f"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("at most 5 tags"));
    assert!(
        html.contains("value=\"Too many tags on this one\"")
            && html.contains(">Body stays.</textarea>")
    );
    assert!(html.contains("value=\"a,b,c,d,e,f\""), "tags kept");

    let long = "x".repeat(33);
    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[
                ("title", "A tag that is far too long"),
                ("body", "b"),
                ("tags", &long),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/tags/no-such-tag").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn invalid_posts_come_back_with_every_field_kept() {
    let app = spawn_app().await;
    app.sign_up("typist").await;
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[("title", "short"), ("body", "  "), ("tags", "rust")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("at least 10 characters") && html.contains("Write something"));
    assert!(html.contains("value=\"short\"") && html.contains("value=\"rust\""));

    // A body over the size cap (but under the request limit): refused with the text kept.
    let huge = "word ".repeat(13_000);
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "A very long article"),
                ("body", &huge),
                ("tags", "long"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("too long"));
    assert!(html.contains(&huge[..500]), "the long body is given back");

    // An empty answer keeps the question page and says why.
    let (qid, url) = ask(
        &app,
        "What is a KV cache for?",
        "In transformers.",
        "inference",
    )
    .await;
    let res = app
        .submit(&url, &format!("/questions/{qid}/answers"), &[("body", "")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("What is a KV cache for?"));
}

#[tokio::test]
async fn requests_over_the_size_limit_get_413() {
    let app = crate::helpers::spawn_app_with(&[("AGORA_BODY_LIMIT_KB", "4")]).await;
    app.sign_up("bigwriter").await;
    let huge = "x".repeat(8 * 1024);
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "Too big to send"),
                ("body", &huge),
                ("tags", "big"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn keyset_pagination_walks_every_question_exactly_once() {
    let app = spawn_app().await;
    app.sign_up("seeder").await;
    let me = user_id(&app, "seeder").await;
    let mut expected = Vec::new();
    for i in 0..45 {
        let id = seed(
            &app,
            PostKind::Question,
            me,
            &format!("Seeded question number {i}"),
            "seeded",
            None,
        )
        .await;
        expected.push(id);
    }
    // Ties on every sort key: scores repeat, times are equal within the second.
    sqlx::query("UPDATE posts SET score = id % 3")
        .execute(app.db.writer())
        .await
        .expect("scores");
    for tab in ["newest", "active", "votes", "unanswered"] {
        let (mut ids, pages) = walk(&app, &format!("/questions?tab={tab}"), "id=\"post-").await;
        assert_eq!(pages, 3, "{tab}: 45 items at 20 a page");
        assert_eq!(ids.len(), 45, "{tab}: every item listed");
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids, expected, "{tab}: each item exactly once");
    }
    let (ids, _) = walk(&app, "/tags/seeded", "id=\"post-").await;
    assert_eq!(ids.len(), 45, "tag pages walk too");
    let (ids, _) = walk(&app, "/questions?tab=newest", "id=\"post-").await;
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");
    assert_eq!(
        app.get("/questions?after=nonsense").await.status(),
        StatusCode::BAD_REQUEST
    );

    // The unanswered tab drops answered questions.
    seed(
        &app,
        PostKind::Answer,
        me,
        "unused title for an answer",
        "unused",
        Some(expected[0]),
    )
    .await;
    let (ids, _) = walk(&app, "/questions?tab=unanswered", "id=\"post-").await;
    assert_eq!(ids.len(), 44);
    assert!(!ids.contains(&expected[0]));
}

#[tokio::test]
async fn tag_index_pages_by_popularity() {
    let app = spawn_app().await;
    app.sign_up("tagseeder").await;
    let me = user_id(&app, "tagseeder").await;
    for i in 0..70 {
        seed(
            &app,
            PostKind::Question,
            me,
            &format!("Question with its own tag {i}"),
            &format!("tag{i}, common"),
            None,
        )
        .await;
    }
    let (html, _) = (app.get_html("/tags").await.1, ());
    assert!(
        html.find("common").expect("common listed") < html.find("tag0").unwrap_or(usize::MAX),
        "most used first"
    );
    let (ids, pages) = walk(&app, "/tags", "rel=\"tag\">tag").await;
    assert_eq!(pages, 2);
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 70, "every tag once");
}

#[tokio::test]
async fn similar_questions_are_suggested_in_english_and_chinese() {
    let app = spawn_app().await;
    app.sign_up("curious").await;
    let me = user_id(&app, "curious").await;
    let quant = seed(
        &app,
        PostKind::Question,
        me,
        "How to quantize a llama model to 4 bit",
        "llama, quantization",
        None,
    )
    .await;
    let deploy = seed(
        &app,
        PostKind::Question,
        me,
        "如何在本地部署大语言模型",
        "部署",
        None,
    )
    .await;
    seed(
        &app,
        PostKind::Question,
        me,
        "Best data augmentation for image classification",
        "vision",
        None,
    )
    .await;

    let res = app
        .client
        .get(app.url("/questions/similar?title=quantize%20llama%20weights"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let found: serde_json::Value = res.json().await.expect("json");
    let ids: Vec<i64> = found
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v["id"].as_i64())
        .collect();
    assert_eq!(ids, [quant]);

    let title = url::form_urlencoded::byte_serialize("本地部署大语言模型需要多少显存".as_bytes())
        .collect::<String>();
    let (status, html) = app
        .get_html(&format!("/questions/similar?title={title}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/questions/{deploy}/")),
        "Chinese title matched: {html}"
    );
    assert!(!html.contains("<html"), "a fragment, not a page");

    // Without JavaScript: the ask form's check button lists them and keeps the input.
    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[
                ("title", "quantize llama to 4 bit?"),
                ("body", "My draft."),
                ("tags", ""),
                ("check_similar", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("How to quantize a llama model to 4 bit"));
    assert!(html.contains(">My draft.</textarea>"));
    let (_, ask_page) = app.get_html("/questions/ask").await;
    assert!(ask_page.contains("/static/js/similar-questions.js"));
}

#[tokio::test]
async fn bot_answers_are_never_accepted() {
    let app = spawn_app().await;
    app.sign_up("human").await;
    let me = user_id(&app, "human").await;
    let (qid, url) = ask(&app, "Can the bot answer this one?", "Please.", "bot").await;
    let body = Markdown::parse("I think so.").expect("body");
    let bot = agora::db::posts::create(
        &app.db,
        NewPost {
            kind: PostKind::BotAnswer,
            parent_id: Some(qid),
            author_id: me,
            title: None,
            body: &body,
            tags: None,
            status: PostStatus::Published,
        },
    )
    .await
    .expect("bot answer");
    let (_, html) = app.get_html(&url).await;
    assert!(html.contains("AI answer"), "labelled");
    let res = app
        .submit(&url, &format!("/answers/{bot}/accept"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn script_payloads_stay_harmless_everywhere_they_appear() {
    let app = spawn_app().await;
    app.sign_up("mallory").await;
    let title = "<script>alert('t')</script> \"quoted\" title";
    let body = "<img src=x onerror=alert('b')>\n\n[click](javascript:alert('l'))\n\n<script>alert('s')</script>";
    let (id, _) = write_article(&app, title, body, "xss-test", false).await;
    let (qid, qurl) = ask(
        &app,
        "<img src=x onerror=alert(1)> question",
        body,
        "xss-test",
    )
    .await;
    answer(&app, &qurl, qid, body).await;
    let edit = format!("/articles/{id}/edit");
    app.submit(
        &edit,
        &edit,
        &[
            ("title", "<script>alert('t2')</script> edited"),
            ("body", body),
            ("tags", "xss-test"),
        ],
    )
    .await;
    let url = location(&app.get(&format!("/articles/{id}")).await);
    let pages = [
        url.clone(),
        qurl.clone(),
        "/articles".into(),
        "/questions".into(),
        "/tags/xss-test".into(),
        format!("/articles/{id}/revisions?from=1&to=2"),
        "/questions/similar?title=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%20question".into(),
        "/feed.atom".into(),
        "/tags/xss-test/feed.atom".into(),
        edit.clone(),
    ];
    for page in pages {
        let (status, html) = app.get_html(&page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            !html.contains("<script>alert"),
            "{page}: script tag passed through"
        );
        assert!(
            !html.contains("<img src=x onerror") && !html.contains("<img src=\"x\" onerror"),
            "{page}: event handler passed through"
        );
        assert!(
            !html.contains("href=\"javascript:"),
            "{page}: javascript link passed through"
        );
    }
    // A refused tag comes back escaped.
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "Tag injection attempt"),
                ("body", "b"),
                ("tags", "<script>x</script>"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(!html.contains("<script>x</script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;x") || html.contains("&#60;script&#62;x"),
        "{html}"
    );
}

#[tokio::test]
async fn feeds_and_sitemap_list_published_posts() {
    let app = spawn_app().await;
    app.sign_up("publisher").await;
    let (id, _) = write_article(&app, "Scaling laws & you", "Chinchilla.", "scaling", false).await;
    write_article(&app, "Secret draft article", "Hidden.", "scaling", true).await;
    let (qid, _) = ask(&app, "Is RLHF still needed?", "Or DPO?", "alignment").await;

    let res = app.get("/feed.atom").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("application/atom+xml"));
    let feed = res.text().await.expect("body");
    assert!(
        feed.contains("<title>Scaling laws &amp; you</title>")
            || feed.contains("<title>Scaling laws &#38; you</title>"),
        "escaped XML: {feed}"
    );
    assert!(feed.contains("Is RLHF still needed?"));
    assert!(!feed.contains("Secret draft"));

    let (_, tag_feed) = app.get_html("/tags/alignment/feed.atom").await;
    assert!(tag_feed.contains("Is RLHF still needed?") && !tag_feed.contains("Scaling laws"));

    let (status, sitemap) = app.get_html("/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(sitemap.contains(&format!("/articles/{id}/scaling-laws-you</loc>")));
    assert!(sitemap.contains(&format!("/questions/{qid}/")));
    assert!(!sitemap.contains("secret-draft"));
}

#[tokio::test]
async fn answers_are_edited_by_their_author_and_deleting_the_accepted_one_unaccepts_it() {
    let app = spawn_app().await;
    app.sign_up("q_author").await;
    let (qid, url) = ask(
        &app,
        "Which optimiser for fine-tuning?",
        "AdamW or Lion?",
        "optimisation",
    )
    .await;
    app.logout().await;
    app.sign_up("a_author").await;
    let aid = answer(&app, &url, qid, "AdamW with weight decay.").await;
    let edit = format!("/answers/{aid}/edit");
    let res = app
        .submit(&edit, &edit, &[("body", "AdamW with weight decay 0.01.")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app.get(&format!("/answers/{aid}")).await;
    assert_eq!(location(&res), format!("{url}#answer-{aid}"));
    let (_, html) = app.get_html(&url).await;
    assert!(html.contains("weight decay 0.01."));
    let (status, revisions) = app.get_html(&format!("/answers/{aid}/revisions")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(revisions.contains("<ins>"), "answer revisions diff");

    app.logout().await;
    app.login("q_author", crate::helpers::PASSWORD).await;
    assert_eq!(
        app.get(&edit).await.status(),
        StatusCode::FORBIDDEN,
        "others may not edit"
    );
    let res = app
        .submit(&url, &format!("/answers/{aid}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "nor delete");
    app.submit(&url, &format!("/answers/{aid}/accept"), &[])
        .await;

    app.logout().await;
    app.login("a_author", crate::helpers::PASSWORD).await;
    let res = app
        .submit(&url, &format!("/answers/{aid}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let question = agora::db::posts::by_id(&app.db, qid)
        .await
        .expect("db")
        .expect("question");
    assert_eq!(
        question.accepted_answer_id, None,
        "a deleted answer is no longer accepted"
    );
    let answerer = agora::db::users::by_username(&app.db, "a_author")
        .await
        .expect("db")
        .expect("user");
    assert_eq!(answerer.reputation, 1, "the acceptance bonus is taken back");
    assert_eq!(question.answer_count, 0);
}

#[tokio::test]
async fn posts_from_an_older_renderer_are_rendered_again() {
    let app = spawn_app().await;
    app.sign_up("renderer").await;
    let me = user_id(&app, "renderer").await;
    let id = seed(
        &app,
        PostKind::Article,
        me,
        "Rendered by an old version",
        "render",
        None,
    )
    .await;
    sqlx::query("UPDATE posts SET body_html = 'stale', renderer_version = 0 WHERE id = $1")
        .bind(id)
        .execute(app.db.writer())
        .await
        .expect("age the post");
    assert_eq!(
        agora::db::posts::rerender_outdated(&app.db)
            .await
            .expect("rerender"),
        1
    );
    let post = agora::db::posts::by_id(&app.db, id)
        .await
        .expect("db")
        .expect("post");
    assert!(
        post.body_html.contains("Seeded body text."),
        "{}",
        post.body_html
    );
    assert_eq!(
        agora::db::posts::rerender_outdated(&app.db)
            .await
            .expect("rerender"),
        0,
        "nothing left"
    );
}
