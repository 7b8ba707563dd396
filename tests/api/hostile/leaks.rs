//! Nothing hidden leaks: one forum holds a post, an answer and a comment in every state that is not
//! public (draft, held for review, hidden, deleted, swept as spam), and every listing is walked as
//! a visitor, a member, the author and staff. Only published content is listed, for everyone;
//! the author (and staff) reach their own held or hidden post only on its own page.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app};
use crate::member::{id_after, Member};
use crate::rules::add_rule;
use agora::domain::Role;

/// A piece of content: the word searched for it, the phrase only it contains (a search page echoes
/// the word, never the phrase), and whether it is public.
struct Marked {
    word: &'static str,
    phrase: &'static str,
    public: bool,
}

const fn hidden(word: &'static str, phrase: &'static str) -> Marked {
    Marked {
        word,
        phrase,
        public: false,
    }
}

async fn ok(member: &Member, path: &str, fields: &[(&str, &str)]) {
    let res = member.post(path, fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
}

#[tokio::test]
async fn no_listing_shows_draft_held_hidden_deleted_or_spam_content_to_anyone() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "boss", Role::Admin, 1).await;
    let author = Member::with(&app, "author", Role::Member, 60).await;
    let spammer = Member::with(&app, "spammer", Role::Member, 60).await;
    let member = Member::with(&app, "reader", Role::Member, 60).await;
    add_rule(
        &admin,
        &app,
        &[
            ("kind", "regex"),
            ("description", "Reviewed first."),
            ("pattern", r"(?i)\bheldword\b"),
            ("action", "hold"),
        ],
    )
    .await;

    // Topics.
    let public = author
        .ask_with("Published alpaca question", "Body about alpaca.", "walkpub")
        .await;
    let res = author
        .post(
            "/articles",
            &[
                ("title", "Draft quokka article"),
                ("body", "Body about quokka."),
                ("tags", "walkdraft"),
                ("draft", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let draft = id_after(&location(&res), "/articles/");
    let held = author
        .ask_with("Held numbat heldword", "Body about numbat.", "walkheld")
        .await;
    let hid = author
        .ask_with("Hidden wombat question", "Body about wombat.", "walkhidden")
        .await;
    // Upvoted first, so the author's reputation history has a line about it.
    member.vote("question", hid, 1).await;
    ok(&admin, &format!("/admin/posts/{hid}/hide"), &[]).await;
    let gone = author
        .ask_with("Deleted dingo question", "Body about dingo.", "walkdeleted")
        .await;
    member.vote("question", gone, 1).await;
    ok(&admin, &format!("/admin/posts/{gone}/delete"), &[]).await;
    let spam = spammer
        .ask_with("Spam bilby question", "Body about bilby.", "walkspam")
        .await;

    // Answers and comments on the public question.
    let res = spammer
        .post(
            &format!("/questions/{public}/answers"),
            &[("body", "Held echidna answer heldword @reader")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = spammer
        .post(
            &format!("/questions/{public}/answers"),
            &[("body", "Hidden kookaburra answer")],
        )
        .await;
    let hidden_answer = id_after(&location(&res), "#answer-");
    ok(&admin, &format!("/admin/posts/{hidden_answer}/hide"), &[]).await;
    let res = spammer.comment(public, "Held galah comment heldword").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = spammer.comment(public, "Hidden lyrebird comment").await;
    let hidden_comment = id_after(&location(&res), "#comment-");
    ok(
        &admin,
        &format!("/admin/comments/{hidden_comment}/hide"),
        &[],
    )
    .await;
    let res = spammer.comment(public, "Deleted emu comment").await;
    let deleted_comment = id_after(&location(&res), "#comment-");
    ok(
        &admin,
        &format!("/admin/comments/{deleted_comment}/delete"),
        &[],
    )
    .await;
    // The spammer is swept last: everything of theirs is hidden at once.
    let res = spammer
        .post(
            &format!("/questions/{public}/answers"),
            &[("body", "Spam cassowary answer")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    ok(
        &admin,
        &format!("/admin/users/{}/spammer", spammer.id),
        &[("reason", "spam")],
    )
    .await;

    let marked = [
        Marked {
            word: "alpaca",
            phrase: "published alpaca question",
            public: true,
        },
        hidden("quokka", "draft quokka article"),
        hidden("numbat", "held numbat heldword"),
        hidden("wombat", "hidden wombat question"),
        hidden("dingo", "deleted dingo question"),
        hidden("bilby", "spam bilby question"),
        hidden("echidna", "held echidna answer"),
        hidden("kookaburra", "hidden kookaburra answer"),
        hidden("galah", "held galah comment"),
        hidden("lyrebird", "hidden lyrebird comment"),
        hidden("emu", "deleted emu comment"),
        hidden("cassowary", "spam cassowary answer"),
    ];
    let tags = [
        "walkdraft",
        "walkheld",
        "walkhidden",
        "walkdeleted",
        "walkspam",
    ];
    let mut listings: Vec<String> = [
        "/",
        "/questions",
        "/questions?tab=newest",
        "/questions?tab=active",
        "/questions?tab=unanswered",
        "/questions?tab=votes",
        "/articles",
        "/tags",
        "/feed.atom",
        "/sitemap.xml",
        "/sitemap-posts-1.xml",
        "/u/author",
        "/u/spammer",
        "/resources",
        "/notifications",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for tag in tags.iter().chain(["walkpub"].iter()) {
        listings.push(format!("/tags/{tag}"));
        listings.push(format!("/tags/{tag}/feed.atom"));
    }
    for m in &marked {
        listings.push(format!("/search?q={}", m.word));
        listings.push(format!("/questions/similar?title={}+question", m.word));
    }

    let visitor = app.new_browser().0;
    let mut leaks = Vec::new();
    let mut seen_public = 0;
    for who in ["visitor", "member", "author", "staff"] {
        for path in &listings {
            let (status, body) = match who {
                "visitor" => {
                    let res = visitor.get(app.url(path)).send().await.expect("get");
                    (res.status(), res.text().await.expect("body"))
                }
                "member" => member.get(path).await,
                "author" => author.get(path).await,
                _ => admin.get(path).await,
            };
            if !status.is_success() && !status.is_redirection() {
                leaks.push(format!("{who} {path}: status {status}"));
                continue;
            }
            let lower = body.to_lowercase();
            // The author's own profile and article list show them their drafts and held posts.
            let own = who == "author" && (path == "/u/author" || path == "/articles");
            for m in &marked {
                if !m.public && !own && lower.contains(m.phrase) {
                    leaks.push(format!("{who} sees {} on {path}", m.word));
                }
                if m.public && lower.contains(m.phrase) {
                    seen_public += 1;
                }
            }
            if path == "/tags" {
                for tag in tags {
                    if body.contains(tag) {
                        leaks.push(format!("{who} sees tag {tag} on /tags"));
                    }
                }
            }
        }
        // The public question's page: answers and comments in no public state are not shown,
        // except to staff (who moderate them) and, held or hidden, to their own author.
        let page = match who {
            "visitor" => {
                let res = visitor
                    .get(app.url(&format!("/questions/{public}")))
                    .send()
                    .await
                    .expect("get");
                let res = visitor
                    .get(app.url(&location(&res)))
                    .send()
                    .await
                    .expect("get");
                res.text().await.expect("body")
            }
            "member" => member.page(&format!("/questions/{public}")).await,
            "author" => author.page(&format!("/questions/{public}")).await,
            _ => String::new(),
        };
        for word in [
            "held echidna",
            "hidden kookaburra",
            "held galah",
            "hidden lyrebird",
            "deleted emu",
            "spam cassowary",
        ] {
            if page.to_lowercase().contains(word) {
                leaks.push(format!("{who} sees {word} on the question page"));
            }
        }
    }
    assert!(
        seen_public > 20,
        "the public question is listed ({seen_public})"
    );
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));

    // Each post that is not public answers 404 to a visitor and a member: its page, its revisions
    // and its summary (a visitor is sent to log in for that first).
    let mut opened = Vec::new();
    for (kind, id) in [
        ("articles", draft),
        ("questions", held),
        ("questions", hid),
        ("questions", gone),
        ("questions", spam),
        ("answers", hidden_answer),
    ] {
        for path in [
            format!("/{kind}/{id}"),
            format!("/{kind}/{id}/revisions"),
            format!("/posts/{id}/summary"),
        ] {
            let res = visitor.get(app.url(&path)).send().await.expect("get");
            // Summaries are for members: a visitor is sent to log in before anything is looked up.
            let to_login = res.status() == StatusCode::SEE_OTHER
                && path.ends_with("/summary")
                && location(&res).starts_with("/login");
            let by_member = member.get(&path).await.0;
            for (who, status) in [("visitor", res.status()), ("member", by_member)] {
                if status != StatusCode::NOT_FOUND && !(who == "visitor" && to_login) {
                    opened.push(format!("{who} {path}: {status}"));
                }
            }
        }
    }
    assert!(opened.is_empty(), "{}", opened.join("\n"));

    // The author still opens their held post; a visitor does not.
    assert!(!author
        .get(&format!("/questions/{held}"))
        .await
        .0
        .is_client_error());
    let res = visitor
        .get(app.url(&format!("/questions/{held}")))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
