//! The community's brand from `/admin/settings`: refused values come back with the form kept, and a
//! saved brand shows on every page (logo, favicon, accent stylesheet, footer links) and the home page
//! (the announcement until its last day) with the Content-Security-Policy unchanged.
use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::member::Member;
use agora::domain::Role;

fn brand_fields<'a>(accent_light: &'a str, banner_until: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("logo", "/static/img/logo.svg"),
        ("favicon", "/uploads/0123abcd.png"),
        ("accent_light", accent_light),
        ("accent_dark", "#8fd19e"),
        ("banner", "Meetup in Shanghai on Friday"),
        ("banner_until", banner_until),
        (
            "footer_links",
            "Imprint | /guidelines\nSource | https://git.example.org/agora",
        ),
    ]
}

#[tokio::test]
async fn an_accent_that_fails_contrast_comes_back_with_the_form_kept() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let res = admin
        .post(
            "/admin/settings/brand",
            &brand_fields("#ffdd00", "2099-01-01"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.expect("body");
    assert!(page.contains("too faint on the page background"), "{page}");
    assert!(page.contains("value=\"#ffdd00\""));
    assert!(
        page.contains("Meetup in Shanghai on Friday"),
        "the rest is kept"
    );
    let res = admin
        .post("/admin/settings/brand", &[("accent_dark", "blue")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains("#rrggbb"));
    let (_, home) = admin.get("/").await;
    assert!(!home.contains("/brand.css"), "nothing was saved");
}

#[tokio::test]
async fn a_saved_brand_shows_on_every_page_with_the_csp_unchanged() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let visitor = reqwest::Client::new();
    let before = visitor.get(app.url("/")).send().await.expect("home");
    let csp_before = before.headers()["content-security-policy"].clone();

    let res = admin
        .post(
            "/admin/settings/brand",
            &brand_fields("#1a5c2e", "2099-01-01"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = visitor.get(app.url("/")).send().await.expect("home");
    assert_eq!(res.headers()["content-security-policy"], csp_before);
    let home = res.text().await.expect("body");
    assert!(home.contains("<img src=\"/static/img/logo.svg\""));
    assert!(home.contains("<link rel=\"icon\" href=\"/uploads/0123abcd.png\">"));
    assert!(home.contains("Meetup in Shanghai on Friday"));
    assert!(home.contains("href=\"https://git.example.org/agora\" class=\"footer-link\">Source<"));
    assert!(!home.contains("style=\""), "no inline style");
    let css_url = home
        .split("<link rel=\"stylesheet\" href=\"/brand.css")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|query| format!("/brand.css{query}"))
        .expect("brand stylesheet linked");
    let css = visitor.get(app.url(&css_url)).send().await.expect("css");
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/css"));
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap_or_default()
        .contains("immutable"));
    let css = css.text().await.expect("css body");
    assert!(css.contains("--accent: #1a5c2e; --accent-fg: #ffffff"));
    assert!(css.contains("prefers-color-scheme: dark") && css.contains("#8fd19e"));
    // Other pages carry the frame too; the announcement is the home page's.
    let questions = visitor
        .get(app.url("/questions"))
        .send()
        .await
        .expect("questions")
        .text()
        .await
        .expect("body");
    assert!(questions.contains(&css_url) && questions.contains("class=\"footer-link\""));
    assert!(!questions.contains("Meetup in Shanghai"));

    // An announcement past its last day is gone.
    let res = admin
        .post(
            "/admin/settings/brand",
            &brand_fields("#1a5c2e", "2020-01-01"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, home) = admin.get("/").await;
    assert!(!home.contains("Meetup in Shanghai on Friday"));
}

#[tokio::test]
async fn members_and_moderators_cannot_change_the_brand() {
    let app = spawn_app().await;
    for (name, role) in [("member", Role::Member), ("moderator", Role::Moderator)] {
        let someone = Member::with(&app, name, role, 1).await;
        let res = someone
            .post(
                "/admin/settings/brand",
                &brand_fields("#1a5c2e", "2099-01-01"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let (_, home) = Member::join(&app, "visitor").await.get("/").await;
    assert!(!home.contains("/brand.css"));
}
