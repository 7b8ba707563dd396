//! The admin panel: who may open what, user administration, the audit log and the guidelines.
use reqwest::StatusCode;

use crate::helpers::{spawn_app, TestApp, PASSWORD};
use agora::domain::Role;

async fn user_id(app: &TestApp, name: &str) -> i64 {
    agora::db::users::by_username(&app.db, name)
        .await
        .expect("query")
        .expect("user")
        .id
}

async fn make(app: &TestApp, name: &str, role: Role) -> i64 {
    let id = user_id(app, name).await;
    agora::db::users::set_role(&app.db, id, role)
        .await
        .expect("role");
    id
}

#[tokio::test]
async fn admin_routes_by_role() {
    let app = spawn_app().await;
    // Accounts for each role, each in its own browser.
    let mut browsers = Vec::new();
    for (name, role) in [
        ("mem", Role::Member),
        ("mod", Role::Moderator),
        ("adm", Role::Admin),
    ] {
        let (client, _) = app.new_browser();
        let email = format!("{name}@example.com");
        app.register_in(&client, name, &email, PASSWORD).await;
        make(&app, name, role).await;
        browsers.push((name, client));
    }
    let anonymous = app.new_browser().0;
    let member_id = user_id(&app, "mem").await;
    let routes = [
        "/admin",
        "/admin/users",
        "/admin/log",
        format!("/admin/users/{member_id}").leak(),
        "/admin/guidelines",
    ];
    for path in routes {
        let status = anonymous
            .get(app.url(path))
            .send()
            .await
            .expect("get")
            .status();
        assert_eq!(status, StatusCode::SEE_OTHER, "anonymous {path}");
        for (name, client) in &browsers {
            let status = client
                .get(app.url(path))
                .send()
                .await
                .expect("get")
                .status();
            let expected = match (*name, path) {
                ("mem", _) => StatusCode::FORBIDDEN,
                ("mod", "/admin/guidelines") => StatusCode::FORBIDDEN,
                _ => StatusCode::OK,
            };
            assert_eq!(status, expected, "{name} {path}");
        }
    }
}

#[tokio::test]
async fn suspending_through_the_panel_ends_sessions_is_logged_and_explained() {
    let app = spawn_app().await;
    // The member to suspend, logged in in a second browser.
    let (victim, _) = app.new_browser();
    app.register_in(&victim, "spammy", "spammy@example.com", PASSWORD)
        .await;
    assert_eq!(
        victim
            .get(app.url("/settings"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::OK
    );

    app.sign_up("moddy").await;
    make(&app, "moddy", Role::Moderator).await;
    let id = user_id(&app, "spammy").await;
    let page = format!("/admin/users/{id}");
    let res = app
        .submit(
            &page,
            &format!("/admin/users/{id}/suspend"),
            &[("days", "3"), ("reason", "link spam")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        victim
            .get(app.url("/settings"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::SEE_OTHER,
        "their session ended"
    );

    let (_, log) = app.get_html("/admin/log?action=suspend_user").await;
    assert!(log.contains("moddy") && log.contains("link spam"), "{log}");

    // Moderators cannot change roles or suspend admins.
    let res = app
        .submit(
            &page,
            &format!("/admin/users/{id}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.logout().await;
    let res = app.login("spammy", PASSWORD).await;
    let html = res.text().await.expect("body");
    assert!(html.contains("link spam"), "the member sees why");
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed() {
    let app = spawn_app().await;
    app.sign_up("target").await;
    app.logout().await;
    app.sign_up("root").await;
    let admin = make(&app, "root", Role::Admin).await;
    let target = user_id(&app, "target").await;
    agora::db::users::set_role_by(&app.db, admin, target, Role::Moderator, "helps a lot")
        .await
        .expect("role");
    let update = sqlx::query("UPDATE mod_actions SET reason = 'nothing happened'")
        .execute(app.db.writer())
        .await;
    assert!(update.is_err(), "UPDATE must be refused");
    let delete = sqlx::query("DELETE FROM mod_actions")
        .execute(app.db.writer())
        .await;
    assert!(delete.is_err(), "DELETE must be refused");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mod_actions")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn admins_edit_the_guidelines_and_the_html_is_sanitised() {
    let app = spawn_app().await;
    let (_, html) = app.get_html("/guidelines").await;
    assert!(
        html.contains("Community guidelines"),
        "a default text exists"
    );
    app.sign_up("boss").await;
    make(&app, "boss", Role::Admin).await;
    let res = app
        .submit(
            "/admin/guidelines",
            "/admin/guidelines",
            &[("body", "# House rules\n\nBe nice.<script>alert(1)</script>")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_html("/guidelines").await;
    assert!(html.contains("House rules"));
    assert!(!html.contains("<script>alert"), "{html}");
    let (_, log) = app.get_html("/admin/log").await;
    assert!(log.contains("change_setting"));
}

#[tokio::test]
async fn admins_can_close_sign_up() {
    let app = spawn_app().await;
    app.sign_up("owner").await;
    make(&app, "owner", Role::Admin).await;
    let res = app
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[
                ("site_name", "LLM 工坊"),
                ("site_description", "A place for practitioners"),
                ("registration", "closed"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_html("/admin/settings").await;
    assert!(html.contains("LLM 工坊"));

    let (visitor, _) = app.new_browser();
    let res = visitor.get(app.url("/register")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("Sign-up is closed"));
    let res = visitor
        .post(app.url("/register"))
        .form(&[
            ("username", "late"),
            ("email", "late@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, log) = app.get_html("/admin/log?action=change_setting").await;
    assert!(log.contains("registration"));
}

#[tokio::test]
async fn members_are_notified_of_staff_decisions_on_their_account() {
    let app = spawn_app().await;
    app.sign_up("helper").await;
    let helper = user_id(&app, "helper").await;
    app.logout().await;
    app.sign_up("chief").await;
    make(&app, "chief", Role::Admin).await;
    let res = app
        .submit(
            &format!("/admin/users/{helper}"),
            &format!("/admin/users/{helper}/role"),
            &[("role", "moderator"), ("reason", "answers flags quickly")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.logout().await;
    app.login("helper", PASSWORD).await;
    let (_, html) = app.get_html("/notifications").await;
    assert!(html.contains("role: moderator"), "{html}");
    assert!(html.contains("answers flags quickly"));
}

#[tokio::test]
async fn the_dashboard_counts_content_and_draws_thirty_days_of_activity() {
    let app = spawn_app().await;
    app.sign_up("boss").await;
    make(&app, "boss", Role::Admin).await;
    crate::posts::write_article(&app, "One article", "Body of the article.", "misc", false).await;
    let (qid, qurl) =
        crate::posts::ask(&app, "One question?", "Body of the question.", "misc").await;
    crate::posts::answer(&app, &qurl, qid, "An answer.").await;
    let (status, html) = app.get_html("/admin").await;
    assert_eq!(status, StatusCode::OK);
    for (stat, value) in [
        ("users", 1),
        ("articles", 1),
        ("questions", 1),
        ("answers", 1),
        ("open_flags", 0),
    ] {
        assert!(
            html.contains(&format!("data-stat=\"{stat}\">{value}<")),
            "{stat} = {value}"
        );
    }
    assert!(
        html.contains("<svg class=\"chart\""),
        "a server-drawn chart"
    );
    assert_eq!(html.matches("<polyline").count(), 2, "sign-ups and posts");
    // Today's point of the posts line is at the top of the scale (3 posts, the maximum).
    assert!(html.contains("Posts (3)"));
    assert!(html.contains("Sign-ups (1)"));
    assert!(html.contains("630.0,10.0"), "today is the highest point");
}

#[tokio::test]
async fn invite_only_sign_up_takes_a_use_of_a_valid_link() {
    let app = spawn_app().await;
    app.sign_up("host").await;
    make(&app, "host", Role::Admin).await;
    let settings = [
        ("site_name", "agora"),
        ("site_description", ""),
        ("registration", "invite"),
    ];
    let res = app
        .submit("/admin/settings", "/admin/settings", &settings)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (visitor, _) = app.new_browser();
    let res = visitor.get(app.url("/register")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.expect("body").contains("by invitation"));

    // Bad numbers are refused with the form kept.
    let res = app
        .submit(
            "/admin/invites",
            "/admin/invites",
            &[("max_uses", "0"), ("days", "7"), ("note", "for Lin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains("for Lin"));
    let res = app
        .submit(
            "/admin/invites",
            "/admin/invites",
            &[("max_uses", "1"), ("days", "7"), ("note", "for Lin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    let start = html.find("/register?invite=").expect("the link is shown");
    let code: String = html[start + "/register?invite=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let link = format!("/register?invite={code}");
    let (_, again) = app.get_html("/admin/invites").await;
    assert!(!again.contains(&code), "the code is shown only once");

    let res = visitor.get(app.url(&link)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let fields = [
        ("username", "invitee"),
        ("email", "invitee@example.com"),
        ("password", PASSWORD),
    ];
    let res = app.submit_in(&visitor, &link, "/register", &fields).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the form must carry the invite"
    );
    let mut with_invite = fields.to_vec();
    with_invite.push(("invite", code.as_str()));
    let res = app
        .submit_in(&visitor, &link, "/register", &with_invite)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "signed up with the invite"
    );
    // The one use is gone.
    let (third, _) = app.new_browser();
    let res = third.get(app.url(&link)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, log) = app.get_html("/admin/log").await;
    assert!(log.contains("create_invite"));
}

#[tokio::test]
async fn visitors_who_ask_for_no_supported_language_get_the_default() {
    let app = spawn_app().await;
    app.sign_up("polyglot").await;
    make(&app, "polyglot", Role::Admin).await;
    let settings = [
        ("site_name", "agora"),
        ("site_description", ""),
        ("registration", "open"),
        ("default_language", "zh-CN"),
    ];
    let res = app
        .submit("/admin/settings", "/admin/settings", &settings)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (visitor, _) = app.new_browser();
    let french = visitor
        .get(app.url("/"))
        .header("accept-language", "fr-FR")
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(french.contains("lang=\"zh-CN\""), "the default applies");
    let english = visitor
        .get(app.url("/"))
        .header("accept-language", "en-US")
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(english.contains("lang=\"en\""), "a supported request wins");
}

#[tokio::test]
async fn the_default_language_and_the_brand_come_from_one_settings_read() {
    let app = spawn_app().await;
    app.sign_up("polyglot").await;
    make(&app, "polyglot", Role::Admin).await;
    let settings = [
        ("site_name", "agora"),
        ("site_description", ""),
        ("registration", "open"),
        ("default_language", "zh-CN"),
    ];
    let res = app
        .submit("/admin/settings", "/admin/settings", &settings)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let brand = [("footer_links", "Imprint | /guidelines")];
    let res = app
        .submit("/admin/settings", "/admin/settings/brand", &brand)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (visitor, _) = app.new_browser();
    let (asked, english) = tags_page_statements(&app, &visitor, Some("en-US")).await;
    let (unasked, default) = tags_page_statements(&app, &visitor, None).await;
    assert!(english.contains("lang=\"en\""));
    assert!(default.contains("lang=\"zh-CN\""), "the default applies");
    assert!(
        default.contains("Imprint") && english.contains("Imprint"),
        "the brand applies"
    );
    assert_eq!(
        unasked, asked,
        "the default language costs no statement of its own"
    );
}

/// Statements run for a visitor's `/tags`, with the page.
async fn tags_page_statements(
    app: &TestApp,
    visitor: &reqwest::Client,
    accept_language: Option<&str>,
) -> (u64, String) {
    let before = app.db.statements_run();
    let mut request = visitor.get(app.url("/tags"));
    if let Some(lang) = accept_language {
        request = request.header("accept-language", lang);
    }
    let page = request
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    (app.db.statements_run() - before, page)
}

/// The account rows of an `/admin/users` page and its next page's address.
fn account_rows(html: &str) -> (Vec<String>, Option<String>) {
    let names = html
        .split("<td><a href=\"/admin/users/")
        .skip(1)
        .filter_map(|cell| cell.split('>').nth(1)?.split('<').next())
        .map(str::to_string)
        .collect();
    let next = html
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|url| url.replace("&amp;", "&").replace("&#38;", "&"));
    (names, next)
}

#[tokio::test]
async fn staff_page_through_accounts_and_find_them_by_the_start_of_a_name_or_email() {
    let app = spawn_app().await;
    app.sign_up("adm").await;
    make(&app, "adm", Role::Admin).await;
    for n in 0..150 {
        sqlx::query(
            "INSERT INTO users (username, username_key, email, email_key, password_hash, created_at) \
             VALUES ($1, $2, $3, $3, 'x', $4)",
        )
        .bind(format!("Pager{n}"))
        .bind(format!("pager{n}"))
        .bind(format!("p{n}@paged.example"))
        .bind(1_700_000_000 + n)
        .execute(app.db.writer())
        .await
        .expect("account");
    }

    // Newest first, 100 a page, the next page going on where the first stopped.
    let (status, html) = app.get_html("/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    let (first, next) = account_rows(&html);
    assert_eq!(first.len(), 100, "{first:?}");
    assert_eq!(first[0], "Pager149");
    let next = next.expect("a next page");
    let (_, html) = app.get_html(&next).await;
    let (second, after) = account_rows(&html);
    assert_eq!(second.len(), 51, "50 more and the admin: {second:?}");
    assert!(after.is_none());
    assert!(second.iter().all(|name| !first.contains(name)));
    assert_eq!(second.last().map(String::as_str), Some("adm"));

    // A name prefix, in name order, case aside; paged the same way.
    let (_, html) = app.get_html("/admin/users?q=PAGER1").await;
    let (found, next) = account_rows(&html);
    assert_eq!(
        found.len(),
        61,
        "pager1, pager10-19, pager100-149: {found:?}"
    );
    assert_eq!(&found[..3], ["Pager1", "Pager10", "Pager100"]);
    assert!(next.is_none());
    assert!(found.iter().all(|name| name.starts_with("Pager1")));
    // An email prefix with '@'.
    let (_, html) = app.get_html("/admin/users?q=p7%40").await;
    assert_eq!(account_rows(&html).0, ["Pager7"]);
    // Wildcards are text, not patterns.
    let (_, html) = app.get_html("/admin/users?q=pager%25").await;
    assert!(account_rows(&html).0.is_empty());

    // A cursor that is not one is refused cheaply.
    for path in [
        "/admin/users?after=abc",
        "/admin/users?after=-5",
        "/admin/users?after=99999999999999999999999",
    ] {
        let (status, _) = app.get_html(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
    }
}
