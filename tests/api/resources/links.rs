//! The `link_check` job against a server started inside the test (no internet): a live page, a
//! missing one and an address that refuses connections.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use reqwest::StatusCode;

use super::{paper, submit_ok};
use crate::helpers::TestApp;
use crate::moderation::{app, Member};
use agora::domain::Role;

/// Answers 200 for `/live` and 404 for anything else, HEAD and GET alike, on 127.0.0.1.
fn start_link_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                match reader.read_line(&mut header) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if header == "\r\n" => break,
                    Ok(_) => {}
                }
            }
            let mut parts = request_line.split_whitespace();
            let method = parts.next().unwrap_or("");
            let path = parts.next().unwrap_or("");
            let (status, body) = if path == "/live" {
                ("200 OK", "alive")
            } else {
                ("404 Not Found", "gone")
            };
            let body = if method == "HEAD" { "" } else { body };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                if method == "HEAD" { 5 } else { body.len() }
            );
        }
    });
    port
}

/// A port nothing listens on.
fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

async fn run_link_checks(app: &TestApp) -> usize {
    let mut registry = agora::jobs::Registry::default();
    agora::services::link_check::register_jobs(&mut registry, app.db.clone());
    let worker = agora::jobs::Worker::new(app.db.clone(), registry, "link-worker", 60);
    let mut ran = 0;
    while worker.run_once().await.expect("job queue") {
        ran += 1;
    }
    ran
}

async fn link_state(app: &TestApp, id: i64) -> (String, String, Option<i64>) {
    let row: (String, String, Option<i64>) = sqlx::query_as(
        "SELECT link_status, link_detail, link_checked_at FROM resources WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("link state");
    row
}

#[tokio::test]
async fn link_checks_mark_dead_links_for_moderators_and_delete_nothing() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let author = Member::join(&app, "curator").await;
    let port = start_link_server();
    let refused = refused_port();
    let live = submit_ok(
        &admin,
        &paper(
            "Live resource",
            &format!("http://127.0.0.1:{port}/live"),
            &[],
        ),
    )
    .await;
    let missing = submit_ok(
        &admin,
        &paper(
            "Missing resource",
            &format!("http://127.0.0.1:{port}/gone"),
            &[],
        ),
    )
    .await;
    let unreachable = submit_ok(
        &admin,
        &paper(
            "Unreachable resource",
            &format!("http://127.0.0.1:{refused}/x"),
            &[],
        ),
    )
    .await;
    // A pending entry is not checked (only approved ones are).
    let pending = submit_ok(
        &author,
        &paper(
            "Pending resource",
            &format!("http://127.0.0.1:{port}/pending"),
            &[],
        ),
    )
    .await;

    // Trusted submissions are approved at once, which queued one check each.
    assert_eq!(run_link_checks(&app).await, 3);
    let (status, detail, checked) = link_state(&app, live).await;
    assert_eq!((status.as_str(), detail.as_str()), ("ok", "HTTP 200"));
    assert!(checked.is_some());
    let (status, detail, _) = link_state(&app, missing).await;
    assert_eq!((status.as_str(), detail.as_str()), ("dead", "HTTP 404"));
    let (status, detail, _) = link_state(&app, unreachable).await;
    assert_eq!(status, "dead");
    assert!(detail.contains("connect"), "{detail}");
    assert_eq!(link_state(&app, pending).await.0, "unchecked");

    // Moderators see the dead ones; nothing was hidden or deleted.
    let (_, html) = admin.get("/admin/resources").await;
    assert!(html.contains(&format!("dead-resource-{missing}")));
    assert!(html.contains(&format!("dead-resource-{unreachable}")));
    assert!(!html.contains(&format!("dead-resource-{live}")));
    for id in [live, missing, unreachable] {
        let (status, _) = app.get_html(&format!("/resources/{id}")).await;
        assert_eq!(status, StatusCode::OK, "resource {id} still shown");
    }
    let (_, list) = app.get_html("/resources").await;
    assert!(list.contains("Missing resource") && list.contains("Unreachable resource"));

    // "Check all links" queues one check per approved entry, deduplicated while queued.
    let res = admin.post("/admin/resources/check-links", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = admin.post("/admin/resources/check-links", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(run_link_checks(&app).await, 3);
}
