//! The rules engine: banned words, regular expressions, link and image limits, holding new members'
//! posts, flag rules and rate limits, applied to posts, comments and profiles; `/admin/rules` (staff
//! see, admins change, every change audited) and the hit counts it shows.
use reqwest::StatusCode;

use crate::helpers::location;
use crate::moderation::{app, id_after, post_status, Member};
use agora::domain::Role;

/// Creates a rule through the admin form and returns its id.
pub async fn add_rule(
    admin: &Member,
    app: &crate::helpers::TestApp,
    fields: &[(&str, &str)],
) -> i64 {
    let mut form = vec![("enabled", "1"), ("below_trust", "5")];
    form.extend_from_slice(fields);
    let res = admin.post("/admin/rules", &form).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "rule saved: {fields:?}"
    );
    sqlx::query_scalar("SELECT MAX(id) FROM rules")
        .fetch_one(app.db.reader())
        .await
        .expect("rule id")
}

async fn seeded_rule(app: &crate::helpers::TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM rules WHERE kind = $1 ORDER BY id LIMIT 1")
        .bind(kind)
        .fetch_one(app.db.reader())
        .await
        .expect("seeded rule")
}

async fn hits(app: &crate::helpers::TestApp, rule: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM rule_hits WHERE rule_id = $1")
        .bind(rule)
        .fetch_one(app.db.reader())
        .await
        .expect("hits")
}

async fn ask(member: &Member, title: &str, body: &str) -> reqwest::Response {
    member
        .post(
            "/questions",
            &[("title", title), ("body", body), ("tags", "llm")],
        )
        .await
}

#[tokio::test]
async fn a_banned_word_blocks_every_kind_of_post_naming_the_rule_and_keeping_the_text() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let author = Member::join(&app, "author").await;
    let writer = Member::join(&app, "writer").await;
    let rule = add_rule(
        &admin,
        &app,
        &[
            ("kind", "banned_words"),
            ("description", "No gambling advertising."),
            ("pattern", "casino\n赌博"),
            ("action", "block"),
        ],
    )
    .await;
    let question = author.ask("Which tokenizer for mixed Chinese text?").await;

    let body = "Try the best CASINO bonuses today";
    let res = writer
        .post(
            "/articles",
            &[
                ("title", "Notes on attention heads"),
                ("body", body),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("No gambling advertising."), "names the rule");
    assert!(html.contains(body), "keeps the text");

    let res = ask(&writer, "Where to find 在线赌博 sites?", "Any advice?").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("No gambling advertising.") && html.contains("在线赌博"));

    let res = writer
        .post(
            &format!("/questions/{question}/answers"),
            &[("body", "Use a casino tokenizer")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("No gambling advertising.") && html.contains("Use a casino tokenizer"));

    // Comment on your own post: always allowed by privileges, so only the rule refuses it.
    let res = author.comment(question, "Casino links welcome").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("No gambling advertising.") && html.contains("Casino links welcome"));

    // Editing into a banned word is refused too, with the edit kept.
    let res = author
        .post(
            &format!("/questions/{question}/edit"),
            &[
                ("title", "Which tokenizer for mixed Chinese text?"),
                ("body", "Also: casino"),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains("Also: casino"));

    // A word inside another word is not the banned word.
    let res = ask(&writer, "Casinos of Monaco and LLM hype?", "occasional").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    assert_eq!(hits(&app, rule).await, 5, "each refusal is a hit");
    let (_, page) = admin.get("/admin/rules").await;
    assert!(
        page.contains("<td class=\"rule-hits\">5</td>"),
        "hit count shown"
    );
}

#[tokio::test]
async fn a_hold_rule_keeps_new_members_posts_pending_until_a_moderator_approves() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let newcomer = Member::join(&app, "newcomer").await;
    let reader = Member::join(&app, "reader").await;
    let rule = seeded_rule(&app, "hold_new").await;
    let res = admin
        .post(&format!("/admin/rules/{rule}/enable"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = ask(
        &newcomer,
        "How do I quantise a GPT-2 model?",
        "Int8 or int4?",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_after(&location(&res), "/questions/");
    assert_eq!(post_status(&app, id).await, "pending");
    let (status, page) = newcomer.get(&location(&res)).await;
    assert_eq!(status, StatusCode::OK, "the author sees their held post");
    assert!(page.contains("held for review"), "and is told it is held");
    assert_eq!(
        reader.get(&format!("/questions/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, queue) = moderator.get("/admin/queue").await;
    assert!(queue.contains("How do I quantise a GPT-2 model?"));

    let res = moderator
        .post(&format!("/admin/posts/{id}/approve"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(post_status(&app, id).await, "published");
    assert_ne!(
        reader.get(&format!("/questions/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(hits(&app, rule).await, 1);
}

#[tokio::test]
async fn publishing_a_draft_counts_as_a_new_post_for_the_hold_rule() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let newcomer = Member::join(&app, "newcomer").await;
    let rule = seeded_rule(&app, "hold_new").await;
    admin
        .post(&format!("/admin/rules/{rule}/enable"), &[])
        .await;
    let fields = [
        ("title", "Draft notes on speculative decoding"),
        ("body", "Work in progress."),
        ("tags", "llm"),
    ];
    let mut draft = fields.to_vec();
    draft.push(("draft", "1"));
    let res = newcomer.post("/articles", &draft).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_after(&location(&res), "/articles/");
    assert_eq!(post_status(&app, id).await, "draft");
    let res = newcomer
        .post(&format!("/articles/{id}/edit"), &fields)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(post_status(&app, id).await, "pending");
}

#[tokio::test]
async fn a_hold_rule_on_comments_keeps_them_for_the_queue() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let author = Member::join(&app, "author").await;
    add_rule(
        &admin,
        &app,
        &[
            ("kind", "regex"),
            ("description", "Messenger handles are reviewed first."),
            ("pattern", r"(?i)\bwhatsapp\b"),
            ("action", "hold"),
        ],
    )
    .await;
    let question = author.ask("Where do LoRA adapters get merged?").await;
    let res = author.comment(question, "Ask me on WhatsApp").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let comment = id_after(&location(&res), "#comment-");
    assert_eq!(
        crate::moderation::comment_status(&app, comment).await,
        "pending"
    );
    let (_, queue) = moderator.get("/admin/queue").await;
    assert!(
        queue.contains("Ask me on WhatsApp"),
        "held comment in the queue"
    );
    let res = moderator
        .post(&format!("/admin/comments/{comment}/approve"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        crate::moderation::comment_status(&app, comment).await,
        "published"
    );
}

#[tokio::test]
async fn a_flag_rule_publishes_the_post_and_opens_a_flag() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let member = Member::join(&app, "member").await;
    let rule = add_rule(
        &admin,
        &app,
        &[
            ("kind", "regex"),
            ("description", "Messenger links are checked by a moderator."),
            ("pattern", r"(?i)t\.me/\w+"),
            ("action", "flag"),
        ],
    )
    .await;
    let res = ask(
        &member,
        "Community chat for RAG builders?",
        "Join us at t.me/ragchat",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_after(&location(&res), "/questions/");
    assert_eq!(post_status(&app, id).await, "published");
    let (open, note): (i64, String) = sqlx::query_as(
        "SELECT COUNT(*), MAX(note) FROM flags WHERE target_kind = 'post' AND target_id = $1 AND status = 'open'",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("flags");
    assert_eq!(open, 1);
    assert!(note.contains("Messenger links"));
    assert_eq!(hits(&app, rule).await, 1);
}

#[tokio::test]
async fn an_invalid_or_oversized_regex_is_refused_with_the_form_kept() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rules")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    let long = "a".repeat(501);
    for pattern in ["(unclosed group", long.as_str(), r"\w{400}\w{400}\w{400}"] {
        let res = admin
            .post(
                "/admin/rules",
                &[
                    ("kind", "regex"),
                    ("description", "Catches spam phrases"),
                    ("pattern", pattern),
                    ("action", "block"),
                    ("enabled", "1"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{pattern}");
        let html = res.text().await.expect("body");
        assert!(html.contains(pattern), "pattern kept");
        assert!(html.contains("Catches spam phrases"), "description kept");
        assert!(html.contains("field-error"), "says what is wrong");
    }
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rules")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_pathological_pattern_on_a_long_post_returns() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let member = Member::join(&app, "member").await;
    add_rule(
        &admin,
        &app,
        &[
            ("kind", "regex"),
            ("description", "Runs of a"),
            ("pattern", "(a+)+$"),
            ("action", "block"),
        ],
    )
    .await;
    let body = format!("{}!", "a".repeat(50_000));
    let res = ask(&member, "A long question about tokens", &body).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let body = "a".repeat(50_000);
    let res = ask(&member, "Another long question here", &body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn link_and_image_limits_hold_back_new_members_but_not_trust_level_2() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let newcomer = Member::join(&app, "newcomer").await;
    let regular = Member::join(&app, "regular").await;
    for kind in ["link_limit", "no_images"] {
        let rule = seeded_rule(&app, kind).await;
        let res = admin
            .post(&format!("/admin/rules/{rule}/enable"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = moderator
        .post(
            &format!("/admin/users/{}/trust", regular.id),
            &[("level", "2"), ("locked", "1"), ("reason", "known member")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let links = "See https://a.example, https://b.example and [c](https://c.example).";
    let image = "The curve: ![loss](https://example.com/loss.png)";
    let res = ask(&newcomer, "Three links about embeddings", links).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains("at most 2 links"));
    let res = ask(&newcomer, "An image of the loss curve", image).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains("images"));
    let res = ask(
        &newcomer,
        "Two links are fine for newcomers",
        "https://a.example https://b.example",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = ask(&regular, "Three links about embeddings", links).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = ask(&regular, "An image of the loss curve", image).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_rate_limit_refuses_the_next_post_with_retry_after() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let member = Member::join(&app, "member").await;
    let rule = add_rule(
        &admin,
        &app,
        &[
            ("kind", "rate_limit"),
            ("description", "At most 2 posts an hour."),
            ("max_count", "2"),
            ("window_secs", "3600"),
            ("applies_to", "post"),
            ("scope", "user"),
            ("action", "block"),
        ],
    )
    .await;
    for title in ["First question on vLLM", "Second question on vLLM"] {
        assert_eq!(
            ask(&member, title, "Body text").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let res = ask(&member, "Third question on vLLM", "Kept body text").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry > 0 && retry <= 3600);
    let html = res.text().await.expect("body");
    assert!(html.contains("At most 2 posts an hour.") && html.contains("Kept body text"));
    assert_eq!(hits(&app, rule).await, 1);
}

#[tokio::test]
async fn every_rule_change_writes_an_audit_row() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let rule = add_rule(
        &admin,
        &app,
        &[
            ("kind", "banned_words"),
            ("description", "No slurs."),
            ("pattern", "badword"),
            ("action", "block"),
        ],
    )
    .await;
    let (status, form) = admin.get(&format!("/admin/rules/{rule}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("No slurs.") && form.contains("badword"));
    let res = admin
        .post(
            &format!("/admin/rules/{rule}"),
            &[
                ("kind", "banned_words"),
                ("description", "No slurs at all."),
                ("pattern", "badword, worseword"),
                ("action", "hold"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for action in ["disable", "enable", "delete"] {
        let res = admin
            .post(&format!("/admin/rules/{rule}/{action}"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
    }
    for action in [
        "create_rule",
        "update_rule",
        "disable_rule",
        "enable_rule",
        "delete_rule",
    ] {
        assert_eq!(
            crate::moderation::audit_rows(&app, action, "rule", rule).await,
            1,
            "{action}"
        );
    }
    let (_, page) = admin.get("/admin/rules").await;
    assert!(
        !page.contains("No slurs at all."),
        "deleted rules leave the list"
    );

    let res = admin
        .post("/admin/rules/trust", &[("trust.tl1.posts_read", "7")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let changes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mod_actions WHERE action = 'change_setting' AND reason = 'trust.tl1.posts_read'",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("audit");
    assert_eq!(changes, 1);
}

#[tokio::test]
async fn moderators_see_the_rules_admins_change_them_and_others_are_kept_out() {
    let app = app().await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let member = Member::with(&app, "member", Role::Member, 5000).await;
    let anonymous = app.new_browser().0;
    let res = anonymous
        .get(app.url("/admin/rules"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
    assert_eq!(member.get("/admin/rules").await.0, StatusCode::FORBIDDEN);
    let (status, page) = moderator.get("/admin/rules").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("at most 2 links"), "seeded rules listed");
    let fields = [
        ("kind", "banned_words"),
        ("description", "x"),
        ("pattern", "y"),
        ("action", "block"),
    ];
    assert_eq!(
        moderator.post("/admin/rules", &fields).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        member.post("/admin/rules", &fields).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        moderator.post("/admin/rules/1/disable", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
}
