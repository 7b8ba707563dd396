//! Validation with the form kept, duplicates refused with a link, lists with filters and sorts, and
//! flags on listed resources.
use reqwest::StatusCode;

use super::{paper, resource_status, submit, submit_ok};
use crate::moderation::{app, Member};
use agora::domain::Role;

#[tokio::test]
async fn bad_fields_are_refused_with_every_value_kept() {
    let app = app().await;
    let author = Member::join(&app, "curator").await;
    let (status, form) = author.get("/resources/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"csrf_token\"") && form.contains("name=\"identifier\""));
    let res = app.get("/resources/new").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "visitors are sent to log in"
    );
    let cases: [(&'static str, &'static str, &str); 5] = [
        ("identifier", "978-0-262-03561-4", "check digit"),
        (
            "identifier",
            "arXiv:2106.0968",
            "not an arXiv id, DOI or ISBN",
        ),
        (
            "url",
            "ftp://files.example.com/lora.pdf",
            "not a valid http",
        ),
        ("year", "1850", "The year must be"),
        ("kind", "podcast", "Choose what kind"),
    ];
    for (field, value, message) in cases {
        let fields = paper(
            "A paper with one bad field",
            "https://example.org/ok",
            &[(field, value)],
        );
        let res = submit(&author, &fields).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        let html = res.text().await.expect("body");
        assert!(
            html.contains(message),
            "{field}: message {message:?} in page"
        );
        assert!(html.contains("A paper with one bad field"), "title kept");
        assert!(html.contains("Edward J. Hu, Yelong Shen"), "authors kept");
        assert!(
            html.contains("Freeze the weights and train **low-rank** adapters."),
            "description kept"
        );
        if field != "kind" {
            assert!(html.contains(value), "{field} value kept");
        }
    }
    // An ISBN on a paper does not fit the kind, even with a valid checksum.
    let fields = paper(
        "Paper with a book ISBN",
        "https://example.org/isbn",
        &[("identifier", "9780262035613")],
    );
    let res = submit(&author, &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A book with the same valid ISBN is fine.
    let fields = paper(
        "Deep Learning",
        "https://www.deeplearningbook.org/",
        &[("kind", "book"), ("identifier", "0-262-03561-8")],
    );
    submit_ok(&author, &fields).await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM resources")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 1, "only the valid submission was stored");
}

#[tokio::test]
async fn duplicate_urls_and_identifiers_are_refused_with_a_link_to_the_entry() {
    let app = app().await;
    let first = Member::join(&app, "first").await;
    let second = Member::join(&app, "second").await;
    let id = submit_ok(
        &first,
        &paper(
            "LoRA paper",
            "https://arxiv.org/abs/2106.09685",
            &[("identifier", "2106.09685")],
        ),
    )
    .await;
    let existing = format!("/resources/{id}");

    // The same page written differently: host case, www., trailing slash, fragment.
    let res = submit(
        &second,
        &paper(
            "LoRA again",
            "HTTPS://WWW.arXiv.org/abs/2106.09685/#comments",
            &[],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.expect("body");
    assert!(html.contains("This address is already listed."));
    assert!(
        html.contains(&format!("href=\"{existing}\"")),
        "links the existing entry"
    );
    assert!(html.contains("LoRA again"), "form kept");

    // Another address, same work by identifier (arXiv id with version and prefix).
    let res = submit(
        &second,
        &paper(
            "LoRA on another mirror",
            "https://mirror.example.com/lora.pdf",
            &[("identifier", "arXiv:2106.09685v2")],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.expect("body");
    assert!(html.contains("A resource with this identifier is already listed."));
    assert!(html.contains(&format!("href=\"{existing}\"")));
    assert_eq!(resource_status(&app, id).await, "pending");
}

#[tokio::test]
async fn lists_filter_by_kind_tag_level_and_language_and_sort_by_score_or_newest() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let voter = Member::with(&app, "voter", Role::Member, 20).await;
    let old_book = submit_ok(
        &admin,
        &paper(
            "Book about transformers",
            "https://example.org/book",
            &[
                ("kind", "book"),
                ("level", "beginner"),
                ("tags", "transformers"),
                ("language", "en"),
            ],
        ),
    )
    .await;
    let _paper = submit_ok(
        &admin,
        &paper(
            "Paper about diffusion",
            "https://example.org/paper",
            &[
                ("level", "advanced"),
                ("tags", "diffusion"),
                ("language", "en"),
            ],
        ),
    )
    .await;
    let _course = submit_ok(
        &admin,
        &paper(
            "中文课程 about transformers",
            "https://example.org/course",
            &[
                ("kind", "course"),
                ("level", "beginner"),
                ("tags", "transformers"),
                ("language", "zh"),
            ],
        ),
    )
    .await;
    voter
        .post(
            "/votes",
            &[
                ("target_kind", "resource"),
                ("target_id", &old_book.to_string()),
                ("value", "1"),
            ],
        )
        .await;

    let titles = |html: &str| {
        [
            "Book about transformers",
            "Paper about diffusion",
            "中文课程 about transformers",
        ]
        .into_iter()
        .filter(|t| html.contains(t))
        .collect::<Vec<_>>()
    };
    let (_, html) = app.get_html("/resources?kind=book").await;
    assert_eq!(titles(&html), ["Book about transformers"]);
    let (_, html) = app.get_html("/resources?tag=transformers").await;
    assert_eq!(
        titles(&html),
        ["Book about transformers", "中文课程 about transformers"]
    );
    let (_, html) = app
        .get_html("/resources?tag=transformers&language=zh")
        .await;
    assert_eq!(titles(&html), ["中文课程 about transformers"]);
    let (_, html) = app.get_html("/resources?level=advanced").await;
    assert_eq!(titles(&html), ["Paper about diffusion"]);
    // Filter links keep the other filters.
    let (_, html) = app
        .get_html("/resources?tag=transformers&level=beginner")
        .await;
    assert!(
        html.contains("href=\"/resources?kind=course&#38;tag=transformers&#38;level=beginner\""),
        "{html}"
    );
    assert!(html.contains("sort=newest"));

    // By score the voted book leads; by newest the course (submitted last) does.
    let position = |html: &str, title: &str| html.find(title).expect("title listed");
    let (_, html) = app.get_html("/resources").await;
    assert!(position(&html, "Book about transformers") < position(&html, "Paper about diffusion"));
    let (_, html) = app.get_html("/resources?sort=newest").await;
    assert!(position(&html, "中文课程") < position(&html, "Paper about diffusion"));
    assert!(position(&html, "Paper about diffusion") < position(&html, "Book about transformers"));
    // Unknown filter values are ignored rather than failing.
    let (status, _) = app
        .get_html("/resources?kind=podcast&level=guru&page=x")
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn members_flag_listed_resources_for_the_moderators() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let reporter = Member::join(&app, "reporter").await;
    let id = submit_ok(
        &admin,
        &paper("Flaggable resource", "https://example.org/spam", &[]),
    )
    .await;
    let res = reporter.flag("resource", id, "spam", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let flags: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM flags WHERE target_kind = 'resource' AND target_id = $1",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("flags");
    assert_eq!(flags, 1);
    let (_, queue) = admin.get("/admin/flags").await;
    assert!(
        queue.contains("Flaggable resource"),
        "the flag is in the queue"
    );
    assert!(queue.contains(&format!("/admin/resources/{id}/reject")));
    // Flagging never hides a resource; it stays listed until staff act.
    assert_eq!(resource_status(&app, id).await, "approved");
    // Staff keep it listed: the flag is resolved and the decision logged.
    let res = admin
        .post(
            &format!("/admin/resources/{id}/approve"),
            &[("reason", "fine")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM flags WHERE target_kind = 'resource' AND target_id = $1 AND status = 'open'",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("open flags");
    assert_eq!(open, 0);
    assert_eq!(resource_status(&app, id).await, "approved");
    // Pending entries cannot be flagged (they are waiting for staff already).
    let author = Member::join(&app, "author").await;
    let pending = submit_ok(
        &author,
        &paper("Pending one", "https://example.org/pending", &[]),
    )
    .await;
    let res = reporter.flag("resource", pending, "spam", "").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn silenced_members_cannot_submit_and_submissions_are_rate_limited() {
    let app = app().await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let quiet = Member::join(&app, "quiet").await;
    let res = moderator
        .post(
            &format!("/admin/users/{}/silence", quiet.id),
            &[("days", "2"), ("reason", "cool down")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = submit(
        &quiet,
        &paper("Silenced submission", "https://example.org/s", &[]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(html.contains("silenced until"), "says until when");
    assert!(html.contains("Silenced submission"), "form kept");

    let busy = Member::join(&app, "busy").await;
    for n in 0..10 {
        let url = format!("https://example.org/r{n}");
        submit_ok(&busy, &paper("Rate limited submission", &url, &[])).await;
    }
    let res = submit(
        &busy,
        &paper("One too many", "https://example.org/r10", &[]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM resources")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 10);
}

#[tokio::test]
async fn the_rules_apply_to_resource_submissions_too() {
    let app = crate::moderation::app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let member = Member::with(&app, "trusted", Role::Member, 500).await;
    crate::rules::add_rule(
        &admin,
        &app,
        &[
            ("kind", "banned_words"),
            ("description", "No gambling advertising."),
            ("pattern", "casino"),
            ("action", "block"),
        ],
    )
    .await;
    let fields = super::paper(
        "LoRA paper",
        "https://arxiv.org/abs/2106.09685",
        &[("description", "Also see our casino bonus page.")],
    );
    let res = super::submit(&member, &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("body");
    assert!(body.contains("No gambling advertising."), "names the rule");
    assert!(
        body.contains("Also see our casino bonus page."),
        "keeps the text"
    );

    // A hold rule sends even a trusted member's entry to review.
    crate::rules::add_rule(
        &admin,
        &app,
        &[
            ("kind", "banned_words"),
            ("description", "Vendor links are reviewed."),
            ("pattern", "vendor"),
            ("action", "hold"),
        ],
    )
    .await;
    let fields = super::paper(
        "LoRA paper",
        "https://arxiv.org/abs/2106.09685",
        &[("description", "The vendor version of the paper.")],
    );
    let id = super::submit_ok(&member, &fields).await;
    assert_eq!(super::resource_status(&app, id).await, "pending");
}
