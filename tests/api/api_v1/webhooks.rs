//! Webhooks on `/admin/webhooks`: events reach a real local receiver as signed JSON, failures are
//! retried through the job queue and logged with the status the receiver answered, and an address
//! the outbound guard refuses (loopback, private) is refused before anything is stored or sent.
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::member::Member;
use agora::domain::Role;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A tiny HTTP server on 127.0.0.1 that records each request and answers the next status of
/// `statuses` (the last one again once they run out).
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(statuses: &[u16]) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let got = Arc::new(Mutex::new(Vec::new()));
        let (record, statuses) = (got.clone(), statuses.to_vec());
        tokio::spawn(async move {
            let mut n = 0;
            while let Ok((mut socket, _)) = listener.accept().await {
                let Some(request) = read_request(&mut socket).await else {
                    continue;
                };
                record.lock().expect("lock").push(request);
                let status = statuses[n.min(statuses.len() - 1)];
                n += 1;
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            }
        });
        Receiver { url, got }
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + 4 + length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&data[head_end + 4..]).to_string();
    Some(Received { headers, body })
}

/// Checks `X-Agora-Signature: t=...,sha256=...` against the secret, as a receiver would.
fn signature_is_valid(secret: &str, request: &Received) -> bool {
    let Some(header) = request.header("x-agora-signature") else {
        return false;
    };
    let mut timestamp = None;
    let mut digest = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => timestamp = Some(v.to_string()),
            Some(("sha256", v)) => digest = Some(v.to_string()),
            _ => {}
        }
    }
    let (Some(timestamp), Some(digest)) = (timestamp, digest) else {
        return false;
    };
    let Ok(expected) = hex::decode(digest) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.{}", request.body).as_bytes());
    mac.verify_slice(&expected).is_ok()
}

async fn add_webhook(admin: &Member, url: &str, events: &[&str]) -> reqwest::Response {
    let mut fields = vec![("url", url)];
    fields.extend(events.iter().map(|e| ("event", *e)));
    admin.post("/admin/webhooks", &fields).await
}

fn secret_on(html: &str) -> String {
    let marker = "data-webhook-secret>";
    let start = html.find(marker).expect("a secret on the page") + marker.len();
    html[start..].split('<').next().expect("secret").to_string()
}

async fn delivery_rows(app: &TestApp) -> Vec<(String, Option<i64>, i64)> {
    sqlx::query_as("SELECT status, response_status, attempts FROM webhook_deliveries ORDER BY id")
        .fetch_all(app.db.reader())
        .await
        .expect("deliveries")
}

#[tokio::test]
async fn events_reach_the_receiver_signed_and_the_log_shows_the_status() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[200]).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let all = [
        "post.created",
        "post.edited",
        "answer.accepted",
        "flag.raised",
        "member.registered",
    ];
    let res = add_webhook(&admin, &receiver.url, &all).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let secret = secret_on(&admin.page("/admin/webhooks").await);

    let ada = Member::join(&app, "ada").await;
    let bob = Member::join(&app, "bob").await;
    let question = ada.ask("Why is my KV cache so large?").await;
    let answer = bob.answer(question).await;
    let res = ada.post(&format!("/answers/{answer}/accept"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = bob.flag("post", question, "spam", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = ada
        .post(
            &format!("/questions/{question}/edit"),
            &[
                ("title", "Why is my KV cache so large at 32k context?"),
                ("body", "How do I fine-tune this model?"),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Nothing is sent inside the request: deliveries wait for the job queue.
    assert!(receiver.got().is_empty());
    app.run_jobs().await;

    let got = receiver.got();
    let mut events: Vec<String> = Vec::new();
    for request in &got {
        assert!(signature_is_valid(&secret, request), "signed: {request:?}");
        assert!(!signature_is_valid("another secret", request));
        let body: Value = serde_json::from_str(&request.body).expect("json body");
        assert_eq!(request.header("x-agora-event"), body["event"].as_str());
        assert_eq!(request.header("content-type"), Some("application/json"));
        events.push(body["event"].as_str().expect("event").to_string());
        if body["event"] == "answer.accepted" {
            assert_eq!(body["data"]["question_id"], question);
            assert_eq!(body["data"]["answer_id"], answer);
        }
        if body["event"] == "member.registered" {
            assert!(["ada", "bob"].contains(&body["data"]["username"].as_str().expect("name")));
        }
    }
    events.sort();
    assert_eq!(
        events,
        vec![
            "answer.accepted",
            "flag.raised",
            "member.registered",
            "member.registered",
            "post.created",
            "post.created",
            "post.edited",
        ]
    );
    assert!(delivery_rows(&app)
        .await
        .iter()
        .all(|(status, code, attempts)| status == "delivered"
            && *code == Some(200)
            && *attempts == 1));
    let page = admin.page("/admin/webhooks").await;
    assert!(page.contains("data-delivery-status=\"delivered\""));
    assert!(page.contains("<td data-http-status>200</td>"));
}

#[tokio::test]
async fn a_failed_delivery_is_logged_and_retried_through_the_queue() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[500, 200]).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let res = add_webhook(&admin, &receiver.url, &["member.registered"]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    Member::join(&app, "ada").await;
    app.run_jobs().await;
    assert_eq!(
        delivery_rows(&app).await,
        vec![("retrying".into(), Some(500), 1)]
    );
    let page = admin.page("/admin/webhooks").await;
    assert!(
        page.contains("<td data-http-status>500</td>"),
        "the log shows the status"
    );

    // The retry waits for its back-off; make it due now rather than sleeping.
    sqlx::query("UPDATE jobs SET run_after = 0 WHERE kind = 'webhook_delivery'")
        .execute(app.db.writer())
        .await
        .expect("due");
    app.run_jobs().await;
    assert_eq!(
        delivery_rows(&app).await,
        vec![("delivered".into(), Some(200), 2)]
    );
    let got = receiver.got();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body, got[1].body, "the same event, sent again");
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_given_up_after_five_attempts() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[503]).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let res = add_webhook(&admin, &receiver.url, &["member.registered"]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    Member::join(&app, "ada").await;
    for _ in 0..8 {
        app.run_jobs().await;
        sqlx::query("UPDATE jobs SET run_after = 0 WHERE kind = 'webhook_delivery'")
            .execute(app.db.writer())
            .await
            .expect("due");
    }
    assert_eq!(
        delivery_rows(&app).await,
        vec![("failed".into(), Some(503), 5)]
    );
    assert_eq!(receiver.got().len(), 5, "no attempt after the fifth");
    let page = admin.page("/admin/webhooks").await;
    assert!(page.contains("data-delivery-status=\"failed\""));
}

#[tokio::test]
async fn a_loopback_or_private_webhook_address_is_refused_and_nothing_is_sent() {
    let app = spawn_app_with(&[("AGORA_OUTBOUND_ALLOW_LOOPBACK", "false")]).await;
    let receiver = Receiver::start(&[200]).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let port = receiver.url.split(':').nth(2).expect("port").to_string();
    for url in [
        receiver.url.clone(),
        format!("http://localhost:{port}"),
        "http://10.0.0.5/hook".to_string(),
        "http://169.254.169.254/latest".to_string(),
        "ftp://example.com/hook".to_string(),
    ] {
        let res = add_webhook(&admin, &url, &["member.registered"]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        let html = res.text().await.expect("body");
        assert!(html.contains("does not send to this address"), "{url}");
        assert!(html.contains(&url), "the address is kept in the form");
    }
    let res = add_webhook(&admin, "https://hooks.example.com/agora", &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(stored, 0, "nothing stored");
    Member::join(&app, "ada").await;
    app.run_jobs().await;
    assert!(receiver.got().is_empty(), "nothing fetched");
}

#[tokio::test]
async fn only_admins_manage_webhooks_and_deleting_one_stops_its_deliveries() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[200]).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let moderator = Member::with(&app, "moderator", Role::Moderator, 1).await;
    let member = Member::join(&app, "member").await;
    assert_eq!(member.get("/admin/webhooks").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        moderator.get("/admin/webhooks").await.0,
        StatusCode::FORBIDDEN
    );
    let res = add_webhook(&moderator, &receiver.url, &["member.registered"]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = add_webhook(&admin, &receiver.url, &["member.registered"]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id: i64 = sqlx::query_scalar("SELECT id FROM webhooks")
        .fetch_one(app.db.reader())
        .await
        .expect("id");
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM mod_actions WHERE action = 'create_webhook'")
            .fetch_one(app.db.reader())
            .await
            .expect("audit");
    assert_eq!(audited, 1);
    let res = admin
        .post(&format!("/admin/webhooks/{id}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    Member::join(&app, "late").await;
    app.run_jobs().await;
    assert!(receiver.got().is_empty());
}
