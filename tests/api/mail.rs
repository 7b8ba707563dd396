//! Mail and the second factor: password reset through a real SMTP server, the outbox's retries and
//! dead state on /admin, moderator messages, and TOTP log-in with recovery codes.
use reqwest::StatusCode;

use crate::helpers::{
    location, spawn_app, spawn_app_with, spawn_app_with_mail, spawn_app_with_mail_to, MailSink,
    TestApp, PASSWORD,
};
use crate::member::Member;
use agora::domain::Role;

const NEW_PASSWORD: &str = "copper harbour violet meadow";

/// Asks for a reset link for `login` from a fresh browser; returns the status and page.
async fn ask_reset(app: &TestApp, login: &str) -> (StatusCode, String) {
    let (browser, _) = app.new_browser();
    let res = app
        .submit_in(
            &browser,
            "/password-reset",
            "/password-reset",
            &[("login", login)],
        )
        .await;
    let status = res.status();
    (status, res.text().await.expect("body"))
}

/// The page without its CSRF token (each browser has its own; it sits in a meta tag).
fn without_token(html: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    let Some(start) = html.find(marker).map(|i| i + marker.len()) else {
        return html.to_string();
    };
    let end = html[start..].find('"').map_or(start, |i| start + i);
    format!("{}{}", &html[..start], &html[end..])
}

#[tokio::test]
async fn password_reset_mails_a_single_use_link_that_ends_every_session() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    app.sign_up("ann").await;
    let (status, page) = ask_reset(&app, "ann@example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"reset-sent\""), "{page}");
    assert!(
        sink.messages().is_empty(),
        "nothing is sent from the request itself"
    );
    assert_eq!(app.run_jobs().await, 1);

    let mails = sink.messages_to("ann@example.com");
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.content_type, "multipart/alternative");
    assert!(mail.subject.contains("new password"), "{}", mail.subject);
    assert!(mail.html.contains("/password-reset/"), "{}", mail.html);
    assert!(
        mail.headers.contains_key("List-Unsubscribe") || mail.headers.contains_key("Message-ID")
    );
    let link = mail.path("/password-reset/").expect("a reset link");
    assert!(mail
        .link("/password-reset/")
        .expect("link")
        .starts_with(&app.address));

    let (browser, _) = app.new_browser();
    let weak = app
        .submit_in(&browser, &link, &link, &[("password", "password")])
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.expect("body").contains("password-error"));

    let done = app
        .submit_in(&browser, &link, &link, &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/login");

    // The session ann had open is gone; the old password no longer works, the new one does.
    let settings = app.get("/settings").await;
    assert_eq!(
        settings.status(),
        StatusCode::SEE_OTHER,
        "signed out everywhere"
    );
    assert_eq!(
        app.login("ann", PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.login("ann", NEW_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    // Used once: the same link now offers a new one.
    let (status, again) = app.get_html(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(again.contains("href=\"/password-reset\""), "{again}");

    // A notice goes to the account, and the audit log has it.
    app.run_jobs().await;
    assert_eq!(sink.messages_to("ann@example.com").len(), 2);
    app.make_role("ann", Role::Admin).await;
    let (_, log) = app.get_html("/admin/log?action=password_reset").await;
    assert!(log.contains("password_reset"), "{log}");
}

#[tokio::test]
async fn reset_answers_the_same_whether_or_not_the_account_exists() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    app.sign_up("bono").await;
    let (known_status, known) = ask_reset(&app, "bono").await;
    let (unknown_status, unknown) = ask_reset(&app, "nobody-here").await;
    assert_eq!(known_status, unknown_status);
    assert_eq!(without_token(&known), without_token(&unknown));
    app.run_jobs().await;
    assert_eq!(sink.messages().len(), 1, "only the real account got mail");
}

#[tokio::test]
async fn forged_and_expired_links_get_a_page_offering_a_new_one() {
    let (app, _sink) = spawn_app_with_mail(&[]).await;
    let (status, page) = app.get_html("/password-reset/not-a-real-token").await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("id=\"ask-again\""), "{page}");

    app.sign_up("cyra").await;
    let user = agora::db::users::by_username(&app.db, "cyra")
        .await
        .expect("db")
        .expect("cyra");
    let token = "expired-token-of-cy";
    agora::db::account_tokens::insert(
        &app.db,
        &agora::auth::session::hash_id(token),
        user.id,
        agora::db::account_tokens::Purpose::PasswordReset,
        "",
        agora::db::now() - 1,
    )
    .await
    .expect("token");
    let (status, page) = app.get_html(&format!("/password-reset/{token}")).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("id=\"ask-again\""));
}

#[tokio::test]
async fn reset_requests_are_limited_per_address_and_per_account() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    app.sign_up("dina").await;
    for _ in 0..5 {
        assert_eq!(ask_reset(&app, "dina").await.0, StatusCode::OK);
    }
    app.run_jobs().await;
    assert_eq!(sink.messages().len(), 3, "three mails per account per hour");
    for _ in 0..5 {
        assert_eq!(ask_reset(&app, "someone-else").await.0, StatusCode::OK);
    }
    let (browser, _) = app.new_browser();
    let res = app
        .submit_in(
            &browser,
            "/password-reset",
            "/password-reset",
            &[("login", "dina")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn without_smtp_the_pages_that_need_mail_say_so() {
    let app = spawn_app().await;
    let (status, page) = app.get_html("/password-reset").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"mail-off\""), "{page}");
    let res = app
        .submit("/login", "/password-reset", &[("login", "anyone")])
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        app.get("/login").await.status(),
        StatusCode::OK,
        "the rest works"
    );
}

/// Makes every queued mail job due now (instead of waiting out the back-off).
async fn make_mail_due(app: &TestApp) {
    sqlx::query("UPDATE jobs SET run_after = 0 WHERE kind = 'mail' AND status = 'queued'")
        .execute(app.db.writer())
        .await
        .expect("due");
}

#[tokio::test]
async fn a_failing_mail_server_delays_mail_retries_it_and_finally_shows_it_dead_on_admin() {
    // The server answers 451 to the first message, then accepts.
    let sink = MailSink::start(1);
    let app = spawn_app_with_mail_to(&sink, &[]).await;
    app.sign_up("evan").await;
    app.logout().await;
    assert_eq!(ask_reset(&app, "evan").await.0, StatusCode::OK);
    assert_eq!(app.run_jobs().await, 1);
    assert!(sink.messages().is_empty());
    let failing = agora::db::outbox::problems(&app.db, 10).await.expect("db");
    assert_eq!(failing.len(), 1);
    assert!(
        failing[0].last_error.contains("451"),
        "{}",
        failing[0].last_error
    );
    make_mail_due(&app).await;
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(
        sink.messages_to("evan@example.com").len(),
        1,
        "delivered on the retry"
    );

    // A server that never answers: every attempt fails, then the message is dead, with its error.
    let down = spawn_app_with(&[
        ("AGORA_SMTP_URL", "smtp://127.0.0.1:9"),
        ("AGORA_MAIL_FROM", "agora <noreply@agora.test>"),
    ])
    .await;
    down.sign_up("faye").await;
    down.logout().await;
    let started = std::time::Instant::now();
    assert_eq!(ask_reset(&down, "faye").await.0, StatusCode::OK);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "the page does not wait for mail"
    );
    for _ in 0..agora::services::mail::MAIL_ATTEMPTS {
        make_mail_due(&down).await;
        down.run_jobs().await;
    }
    let dead = agora::db::outbox::problems(&down.db, 10).await.expect("db");
    assert_eq!(dead[0].status, "dead");
    down.sign_up("root").await;
    down.make_role("root", Role::Admin).await;
    let (_, admin) = down.get_html("/admin").await;
    assert!(admin.contains("data-stat=\"mail_dead\">1<"), "{admin}");
    assert!(admin.contains("data-status=\"dead\""), "{admin}");
}

#[tokio::test]
async fn mail_is_in_the_recipients_language() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let li = Member::join(&app, "lily").await;
    li.post("/settings/language", &[("lang", "zh-CN")]).await;
    let email = format!("{}@example.com", hex::encode("lily"));
    ask_reset(&app, &email).await;
    app.run_jobs().await;
    let mail = &sink.messages_to(&email)[0];
    assert!(mail.subject.contains("设置新密码"), "{}", mail.subject);
    assert!(mail.text.contains("你好"), "{}", mail.text);
}

#[tokio::test]
async fn staff_message_a_member_in_app_and_by_mail_and_it_is_audited() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let member = Member::join(&app, "gila").await;
    let moderator = Member::with(&app, "modd", Role::Moderator, 100).await;
    let path = format!("/admin/users/{}/message", member.id);
    let (status, form) = moderator.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let empty = moderator.post(&path, &[("body", "   ")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sent = moderator
        .post(&path, &[("body", "Please keep answers on topic.")])
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        member.post(&path, &[("body", "hi")]).await.status(),
        StatusCode::FORBIDDEN
    );

    let (_, notes) = member.get("/notifications").await;
    assert!(notes.contains("Please keep answers on topic."), "{notes}");
    app.run_jobs().await;
    let mails = sink.messages_to(&format!("{}@example.com", hex::encode("gila")));
    assert_eq!(mails.len(), 1);
    assert!(mails[0].text.contains("Please keep answers on topic."));
    let (_, log) = moderator.get("/admin/log?action=message_user").await;
    assert!(log.contains("message_user"), "{log}");
}

/// The secret shown on /settings/2fa.
fn secret_on(page: &str) -> String {
    let marker = "id=\"twofa-secret\">";
    let start = page.find(marker).expect("secret shown") + marker.len();
    let end = page[start..].find('<').expect("secret ends") + start;
    page[start..end].to_string()
}

fn code(secret: &str, offset_secs: i64) -> String {
    agora::auth::second_factor::code_at(secret, agora::db::now() + offset_secs).expect("code")
}

fn recovery_codes_on(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .filter_map(|part| part.split('<').next().map(str::to_string))
        .collect()
}

/// Signs `name` up and turns 2FA on; returns the secret and the recovery codes.
async fn with_two_factor(app: &TestApp, name: &str) -> (String, Vec<String>) {
    app.sign_up(name).await;
    let (status, page) = app.get_html("/settings/2fa").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("src=\"data:image/svg+xml;base64,"),
        "a QR code"
    );
    let secret = secret_on(&page);
    let wrong = app
        .submit(
            "/settings/2fa",
            "/settings/2fa/enable",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let on = app
        .submit(
            "/settings/2fa",
            "/settings/2fa/enable",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(on.status(), StatusCode::OK);
    let codes = recovery_codes_on(&on.text().await.expect("body"));
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

#[tokio::test]
async fn two_factor_log_in_asks_for_a_code_after_the_password() {
    let app = spawn_app().await;
    let (secret, codes) = with_two_factor(&app, "hale").await;
    let (_, page) = app.get_html("/settings/2fa").await;
    assert!(page.contains("id=\"twofa-on\""));
    assert!(!page.contains(&codes[0]), "recovery codes are shown once");
    app.logout().await;

    let res = app.login("hale", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login/2fa");
    assert_eq!(
        app.get("/settings").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in yet"
    );
    let wrong = app
        .submit("/login/2fa", "/login/2fa", &[("code", "123456")])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The code of the step used to turn it on cannot be replayed; the next step's code works.
    let right = app
        .submit("/login/2fa", "/login/2fa", &[("code", &code(&secret, 30))])
        .await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/settings").await.status(), StatusCode::OK);

    // A recovery code works once.
    app.logout().await;
    app.login("hale", PASSWORD).await;
    let res = app
        .submit("/login/2fa", "/login/2fa", &[("code", &codes[0])])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.logout().await;
    app.login("hale", PASSWORD).await;
    let res = app
        .submit("/login/2fa", "/login/2fa", &[("code", &codes[0])])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE code_hash = $1")
        .bind(&codes[1])
        .fetch_one(app.db.reader())
        .await
        .expect("db");
    assert_eq!(rows, 0, "codes are stored hashed");
}

#[tokio::test]
async fn code_attempts_are_limited_and_the_half_logged_in_state_expires() {
    let app = spawn_app().await;
    with_two_factor(&app, "idaho").await;
    app.logout().await;
    app.login("idaho", PASSWORD).await;
    for _ in 0..5 {
        let res = app
            .submit("/login/2fa", "/login/2fa", &[("code", "999999")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app
        .submit("/login/2fa", "/login/2fa", &[("code", "999999")])
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    sqlx::query("UPDATE pending_logins SET expires_at = 0")
        .execute(app.db.writer())
        .await
        .expect("expire");
    let res = app.get("/login/2fa").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn turning_two_factor_off_needs_the_password_and_a_code_and_never_says_which_was_wrong() {
    let app = spawn_app().await;
    let (secret, codes) = with_two_factor(&app, "jora").await;
    let wrong_password = app
        .submit(
            "/settings/2fa",
            "/settings/2fa/disable",
            &[("password", "not the password at all"), ("code", &codes[0])],
        )
        .await;
    assert_eq!(wrong_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let first = wrong_password.text().await.expect("body");
    let wrong_code = app
        .submit(
            "/settings/2fa",
            "/settings/2fa/disable",
            &[("password", PASSWORD), ("code", "111111")],
        )
        .await;
    assert_eq!(wrong_code.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let second = wrong_code.text().await.expect("body");
    let message = "The password or the code is not right.";
    assert!(first.contains(message) && second.contains(message));

    let off = app
        .submit(
            "/settings/2fa",
            "/settings/2fa/disable",
            &[("password", PASSWORD), ("code", &code(&secret, 30))],
        )
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    app.logout().await;
    let res = app.login("jora", PASSWORD).await;
    assert_eq!(location(&res), "/", "no code step once it is off");
}

/// Queues a notification-mail sweep, as the instance that runs jobs does every minute.
async fn sweep(app: &TestApp) {
    agora::db::jobs::enqueue(&app.db, "notification_mail", "{}", None, 3)
        .await
        .expect("queue the sweep");
    app.run_jobs().await;
}

#[tokio::test]
async fn replies_are_mailed_with_a_one_click_unsubscribe_that_needs_no_log_in() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let ann = Member::join(&app, "kimi").await;
    let bob = Member::join(&app, "leeb").await;
    let ann_mail = format!("{}@example.com", hex::encode("kimi"));
    let question = ann.ask("How do I quantise a 7B model to 4 bits?").await;
    bob.answer(question).await;
    sweep(&app).await;

    let mails = sink.messages_to(&ann_mail);
    assert_eq!(mails.len(), 1, "one mail about the answer");
    let mail = &mails[0];
    assert!(mail.text.contains("quantise a 7B model"), "{}", mail.text);
    assert!(
        mail.text.contains(&format!("/questions/{question}")),
        "{}",
        mail.text
    );
    assert_eq!(
        mail.headers
            .get("List-Unsubscribe-Post")
            .map(String::as_str),
        Some("List-Unsubscribe=One-Click")
    );
    let header = mail
        .headers
        .get("List-Unsubscribe")
        .expect("List-Unsubscribe");
    let url = header.trim_matches(|c| c == '<' || c == '>');
    let path = &url[url.find("/unsubscribe/").expect("unsubscribe path")..];

    // The confirm page, then the mail client's one-click POST: no cookies, no CSRF token.
    let (status, confirm) = app.get_html(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("id=\"unsubscribe-button\""), "{confirm}");
    let res = reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let (_, settings) = ann.get("/settings/notifications").await;
    assert!(settings.contains("value=\"never\" selected"), "{settings}");

    bob.answer(question).await;
    sweep(&app).await;
    assert_eq!(sink.messages_to(&ann_mail).len(), 1, "no more reply mail");

    let (status, _) = app.get_html("/unsubscribe/forged").await;
    assert_eq!(status, StatusCode::GONE);
}

#[tokio::test]
async fn nothing_is_mailed_about_posts_the_recipient_cannot_see_and_digests_wait() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let ann = Member::join(&app, "miah").await;
    let bob = Member::join(&app, "nedd").await;
    let ann_mail = format!("{}@example.com", hex::encode("miah"));
    let question = ann.ask("Why does my LoRA run out of memory?").await;
    let answer = bob.answer(question).await;
    let deleted = bob.post(&format!("/answers/{answer}/delete"), &[]).await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    sweep(&app).await;
    assert!(
        sink.messages_to(&ann_mail).is_empty(),
        "a deleted answer is not mailed"
    );

    // A daily digest goes at most once a day.
    let saved = ann
        .post("/settings/notifications", &[("replies", "daily")])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let bad = ann
        .post("/settings/notifications", &[("replies", "hourly")])
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    bob.answer(question).await;
    sweep(&app).await;
    assert_eq!(sink.messages_to(&ann_mail).len(), 1);
    bob.answer(question).await;
    sweep(&app).await;
    assert_eq!(
        sink.messages_to(&ann_mail).len(),
        1,
        "the next digest waits a day"
    );
    sqlx::query("UPDATE mail_cursors SET last_sent_at = last_sent_at - 86400")
        .execute(app.db.writer())
        .await
        .expect("a day later");
    sweep(&app).await;
    assert_eq!(sink.messages_to(&ann_mail).len(), 2);
}

#[tokio::test]
async fn members_away_get_a_summary_of_the_best_new_posts() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let away = Member::join(&app, "olli").await;
    let writer = Member::join(&app, "patt").await;
    writer.ask("Which tokenizer handles Chinese best?").await;
    sqlx::query("UPDATE users SET created_at = 0 WHERE id = $1")
        .bind(away.id)
        .execute(app.db.writer())
        .await
        .expect("joined long ago");
    sqlx::query("UPDATE sessions SET last_seen_at = 0 WHERE user_id = $1")
        .bind(away.id)
        .execute(app.db.writer())
        .await
        .expect("last seen long ago");
    sweep(&app).await;
    let mails = sink.messages_to(&format!("{}@example.com", hex::encode("olli")));
    assert_eq!(mails.len(), 1, "{:?}", sink.messages());
    assert!(mails[0]
        .text
        .contains("Which tokenizer handles Chinese best?"));
    assert!(
        sink.messages_to(&format!("{}@example.com", hex::encode("patt")))
            .is_empty(),
        "members who are here get no summary"
    );
    sweep(&app).await;
    assert_eq!(
        sink.messages_to(&format!("{}@example.com", hex::encode("olli")))
            .len(),
        1
    );
}

/// An admin sets the account settings through /admin/settings/accounts.
async fn set_account_settings(app: &TestApp, verification: &str, staff_two_factor: bool) {
    let admin = Member::with(
        app,
        &format!("adm-{verification}-{staff_two_factor}"),
        Role::Admin,
        1,
    )
    .await;
    let mut fields = vec![("email_verification", verification)];
    if staff_two_factor {
        fields.push(("staff_two_factor", "on"));
    }
    let res = admin.post("/admin/settings/accounts", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "settings saved");
}

#[tokio::test]
async fn required_verification_holds_posting_until_the_mailed_link_is_followed() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    set_account_settings(&app, "required", false).await;
    app.run_jobs().await;
    let quinn = Member::join(&app, "quinn").await;
    let address = format!("{}@example.com", hex::encode("quinn"));
    app.run_jobs().await;
    let mail = sink
        .messages_to(&address)
        .into_iter()
        .find(|m| m.text.contains("/verify-email/"))
        .expect("a confirmation link at sign-up");

    let refused = quinn
        .post(
            "/questions",
            &[
                ("title", "How do I merge LoRA weights?"),
                ("body", "Is there a script?"),
                ("tags", "lora"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.expect("body");
    assert!(
        page.contains("Confirm your email address before posting"),
        "{page}"
    );
    assert!(
        page.contains("How do I merge LoRA weights?"),
        "the text is kept"
    );

    let link = mail.path("/verify-email/").expect("link");
    let (status, done) = quinn.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(done.contains("id=\"email-confirmed\""), "{done}");
    quinn.ask("How do I merge LoRA weights?").await;
    let (status, again) = quinn.get(&link).await;
    assert_eq!(status, StatusCode::GONE, "single use");
    assert!(again.contains("id=\"ask-again\""));
}

#[tokio::test]
async fn changing_the_address_confirms_the_new_one_and_tells_the_old_one() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let rae = Member::join(&app, "raes").await;
    let old = format!("{}@example.com", hex::encode("raes"));
    let wrong = rae
        .post(
            "/settings/email",
            &[
                ("email", "raes@new.example.org"),
                ("password", "wrong password here"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text()
            .await
            .expect("body")
            .contains("raes@new.example.org"),
        "input kept"
    );
    let res = rae
        .post(
            "/settings/email",
            &[("email", "raes@new.example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.run_jobs().await;
    assert_eq!(
        sink.messages_to(&old).len(),
        1,
        "a notice to the old address"
    );
    let confirm = &sink.messages_to("raes@new.example.org")[0];
    let user = agora::db::users::by_id(&app.db, rae.id)
        .await
        .expect("db")
        .expect("raes");
    assert_eq!(user.email, old, "unchanged until the link is followed");
    rae.get(&confirm.path("/verify-email/").expect("link"))
        .await;
    let user = agora::db::users::by_id(&app.db, rae.id)
        .await
        .expect("db")
        .expect("raes");
    assert_eq!(user.email, "raes@new.example.org");
}

#[tokio::test]
async fn staff_are_sent_to_turn_on_two_factor_when_the_admins_require_it() {
    let app = spawn_app().await;
    set_account_settings(&app, "off", true).await;
    let moderator = Member::with(&app, "samm", Role::Moderator, 1).await;
    let res = moderator
        .client
        .get(app.url("/admin/queue"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/settings/2fa");
    let (_, page) = moderator.get("/settings/2fa").await;
    assert!(page.contains("id=\"twofa-required\""), "{page}");
    let secret = secret_on(&page);
    let on = moderator
        .post("/settings/2fa/enable", &[("code", &code(&secret, 0))])
        .await;
    assert_eq!(on.status(), StatusCode::OK);
    let (status, _) = moderator.get("/admin/queue").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_mail_server_that_accepts_and_never_answers_cannot_hold_the_job_worker() {
    // A server that takes the connection and never greets: lettre's per-command timeout does not
    // catch it, the delivery limit does.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("addr").port();
    let holder = std::thread::spawn(move || listener.accept().map(|(conn, _)| conn));
    let settings = agora::config::MailSettings {
        smtp_url: format!("smtp://127.0.0.1:{port}"),
        from: "agora <noreply@agora.test>".parse().expect("mailbox"),
    };
    let mailer = agora::mail::Mailer::new(&settings).expect("mailer");
    let row = agora::db::outbox::OutboxMessage {
        id: 1,
        recipient_id: None,
        to_address: "someone@example.com".into(),
        kind: "test".into(),
        subject: "hello".into(),
        body_text: "text".into(),
        body_html: "<p>html</p>".into(),
        unsubscribe_url: String::new(),
        status: "queued".into(),
        attempts: 0,
        last_error: String::new(),
        created_at: 0,
    };
    let error = mailer
        .send_within(&row, std::time::Duration::from_secs(1))
        .await
        .expect_err("no answer is a failure");
    assert!(error.contains("did not finish"), "{error}");
    drop(holder);
}

async fn follow(member: &Member, kind: &str, target: &str, level: &str) {
    let res = member
        .post(
            "/follows",
            &[("target_kind", kind), ("target", target), ("level", level)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "follow {target}");
}

async fn choose(member: &Member, kind: &str, delivery: &str) {
    let res = member
        .post("/settings/notifications", &[(kind, delivery)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{kind}={delivery}");
}

#[tokio::test]
async fn watched_topics_and_tags_are_mailed_as_chosen_and_a_muted_tag_mails_nothing() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let alice = Member::join(&app, "wasa").await;
    let bob = Member::join(&app, "wbob").await;
    let carol = Member::join(&app, "wcar").await;
    let bob_mail = format!("{}@example.com", hex::encode("wbob"));
    let question = alice
        .ask_with(
            "Why does my loss spike at step 3000?",
            "seed",
            "llm, crypto",
        )
        .await;
    follow(&bob, "post", &question.to_string(), "watch").await;
    follow(&bob, "tag", "llm", "watch").await;
    follow(&bob, "tag", "crypto", "mute").await;
    let (_, settings) = bob.get("/settings/notifications").await;
    assert!(settings.contains("id=\"pref-watched\""), "{settings}");
    choose(&bob, "watched", "immediately").await;

    carol.answer(question).await;
    sweep(&app).await;
    let mails = sink.messages_to(&bob_mail);
    assert_eq!(mails.len(), 1, "one mail about the watched answer");
    assert!(
        mails[0]
            .text
            .contains("wcar answered “Why does my loss spike at step 3000?”, which you watch"),
        "{}",
        mails[0].text
    );
    assert!(mails[0].text.contains(&format!("/questions/{question}")));
    assert!(mails[0].subject.contains("New activity you watch"));

    // A new topic in a watched tag that also carries a muted tag: no notice, so no mail.
    alice
        .ask_with("LLM tokens as crypto tokens", "?", "llm, crypto")
        .await;
    sweep(&app).await;
    assert_eq!(sink.messages_to(&bob_mail).len(), 1, "the muted tag wins");

    // Only the watched tag: mailed.
    alice
        .ask_with("Which LLM for long contexts?", "?", "llm")
        .await;
    sweep(&app).await;
    let mails = sink.messages_to(&bob_mail);
    assert_eq!(mails.len(), 2);
    assert!(
        mails[1]
            .text
            .contains("wasa posted “Which LLM for long contexts?” in a tag you watch"),
        "{}",
        mails[1].text
    );
    assert!(!mails[1].text.contains("crypto tokens"));
}

#[tokio::test]
async fn badges_are_mailed_under_their_own_choice() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let asker = Member::join(&app, "bdgq").await;
    let other = Member::join(&app, "bdgn").await;
    choose(&other, "badges", "never").await;
    asker.ask("My first question about tokenizers").await;
    other.ask("Their first question about datasets").await;
    agora::services::badges::queue(&app.db)
        .await
        .expect("queue the awards");
    app.run_jobs().await;
    sweep(&app).await;
    let mails = sink.messages_to(&format!("{}@example.com", hex::encode("bdgq")));
    assert_eq!(mails.len(), 1, "{:?}", sink.messages());
    assert!(
        mails[0].text.contains("You earned the badge “Student”"),
        "{}",
        mails[0].text
    );
    assert!(mails[0].text.contains("/badges/"), "{}", mails[0].text);
    assert!(
        sink.messages_to(&format!("{}@example.com", hex::encode("bdgn")))
            .is_empty(),
        "badge mail turned off"
    );
}

#[tokio::test]
async fn admins_choose_how_many_days_away_bring_the_summary_digest() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let admin = Member::with(&app, "sumadm", Role::Admin, 1).await;
    let away = Member::join(&app, "sumaway").await;
    let writer = Member::join(&app, "sumwrit").await;
    writer.ask("Which optimiser for small batches?").await;
    // Away three days: not enough for the default of seven.
    let three_days_ago = agora::db::now() - 3 * 86_400;
    for sql in [
        "UPDATE users SET created_at = $1 WHERE id = $2",
        "UPDATE sessions SET last_seen_at = $1 WHERE user_id = $2",
    ] {
        sqlx::query(sql)
            .bind(three_days_ago)
            .bind(away.id)
            .execute(app.db.writer())
            .await
            .expect("away three days");
    }
    sweep(&app).await;
    let away_mail = format!("{}@example.com", hex::encode("sumaway"));
    assert!(sink.messages_to(&away_mail).is_empty(), "seven by default");

    let (_, page) = admin.get("/admin/settings/accounts").await;
    assert!(page.contains("name=\"summary_away_days\""), "{page}");
    assert!(page.contains("value=\"7\""), "{page}");
    for bad in ["0", "400", "a week"] {
        let res = admin
            .post(
                "/admin/settings/accounts",
                &[("email_verification", "off"), ("summary_away_days", bad)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let page = res.text().await.expect("body");
        assert!(page.contains("Give a whole number of days from 1 to 365."));
        assert!(
            page.contains(&format!("value=\"{bad}\"")),
            "text kept: {page}"
        );
    }
    let res = admin
        .post(
            "/admin/settings/accounts",
            &[("email_verification", "off"), ("summary_away_days", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = admin.get("/admin/settings/accounts").await;
    assert!(page.contains("value=\"2\""), "{page}");
    // A member may not change it.
    let res = writer
        .post(
            "/admin/settings/accounts",
            &[("email_verification", "off"), ("summary_away_days", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    sweep(&app).await;
    let mails = sink.messages_to(&away_mail);
    assert_eq!(mails.len(), 1, "away three days now counts");
    assert!(mails[0].text.contains("Which optimiser for small batches?"));
    assert!(mails[0].text.contains("2 days"), "{}", mails[0].text);
    assert!(
        sink.messages_to(&format!("{}@example.com", hex::encode("sumwrit")))
            .is_empty(),
        "members who are here get no summary"
    );
}
