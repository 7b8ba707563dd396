//! The link checker cannot be aimed inside: loopback is refused unless the test switch is on,
//! every redirect hop is checked again (an internal address behind a public one is refused), at
//! most five hops are followed, and a dead link is marked for staff only.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use agora::domain::Role;

use crate::helpers::{spawn_app_with, TestApp};
use crate::moderation::Member;
use crate::resources::{paper, submit_ok};

/// A server on 127.0.0.1: `/live` answers 200, `/to-metadata` redirects to the cloud metadata
/// address, `/loop/N` redirects to `/loop/N+1` forever, anything else 404. Counts requests.
fn start_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
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
            let path = request_line.split_whitespace().nth(1).unwrap_or("");
            let response = if path == "/live" {
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nalive".to_string()
            } else if path == "/to-metadata" {
                "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            } else if let Some(n) = path.strip_prefix("/loop/") {
                let next = n.parse::<u32>().unwrap_or(0) + 1;
                format!(
                    "HTTP/1.1 302 Found\r\nLocation: /loop/{next}\r\nContent-Length: 0\r\n\
                     Connection: close\r\n\r\n"
                )
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (port, hits)
}

async fn app(allow_loopback: bool) -> TestApp {
    spawn_app_with(&[
        ("AGORA_REGISTRATIONS_PER_IP", "1000"),
        (
            "AGORA_OUTBOUND_ALLOW_LOOPBACK",
            if allow_loopback { "true" } else { "false" },
        ),
    ])
    .await
}

async fn run_link_checks(app: &TestApp) {
    let mut registry = agora::jobs::Registry::default();
    agora::services::link_check::register_jobs(
        &mut registry,
        app.db.clone(),
        app.settings.outbound,
    );
    let worker = agora::jobs::Worker::new(app.db.clone(), registry, "link-worker", 60);
    while worker.run_once().await.expect("job queue") {}
}

async fn link_state(app: &TestApp, id: i64) -> (String, String) {
    sqlx::query_as("SELECT link_status, link_detail FROM resources WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("link state")
}

async fn listed(admin: &Member, title: &str, url: &str) -> i64 {
    submit_ok(admin, &paper(title, url, &[])).await
}

#[tokio::test]
async fn the_link_checker_refuses_loopback_by_default() {
    let app = app(false).await;
    assert!(!app.settings.outbound.allow_loopback);
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let (port, hits) = start_server();
    let id = listed(
        &admin,
        "Local page",
        &format!("http://127.0.0.1:{port}/live"),
    )
    .await;
    let named = listed(
        &admin,
        "Local by name",
        &format!("http://localhost:{port}/live"),
    )
    .await;
    let mapped = listed(
        &admin,
        "Mapped loopback",
        &format!("http://[::ffff:127.0.0.1]:{port}/live"),
    )
    .await;
    run_link_checks(&app).await;
    for id in [id, named, mapped] {
        let (status, detail) = link_state(&app, id).await;
        assert_eq!(status, "dead", "{id}");
        assert!(
            detail.contains("refused") && detail.contains("loopback"),
            "{detail}"
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no request reached the server"
    );
}

#[tokio::test]
async fn the_allow_loopback_switch_lets_the_test_server_answer() {
    let app = app(true).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let (port, hits) = start_server();
    let id = listed(
        &admin,
        "Local page",
        &format!("http://127.0.0.1:{port}/live"),
    )
    .await;
    run_link_checks(&app).await;
    assert_eq!(link_state(&app, id).await, ("ok".into(), "HTTP 200".into()));
    assert!(hits.load(Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn every_redirect_hop_is_checked_and_at_most_five_are_followed() {
    let app = app(true).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let (port, _) = start_server();
    let metadata = listed(
        &admin,
        "Redirect to metadata",
        &format!("http://127.0.0.1:{port}/to-metadata"),
    )
    .await;
    let endless = listed(
        &admin,
        "Endless redirects",
        &format!("http://127.0.0.1:{port}/loop/0"),
    )
    .await;
    run_link_checks(&app).await;
    let (status, detail) = link_state(&app, metadata).await;
    assert_eq!(status, "dead");
    assert!(
        detail.contains("169.254.169.254") && detail.contains("link-local"),
        "{detail}"
    );
    let (status, detail) = link_state(&app, endless).await;
    assert_eq!(status, "dead");
    assert!(detail.contains("too many redirects"), "{detail}");
}

#[tokio::test]
async fn the_dead_link_mark_shows_to_staff_only() {
    let app = app(false).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let member = Member::join(&app, "reader").await;
    let id = listed(&admin, "Internal page", "http://10.0.0.1/x").await;
    run_link_checks(&app).await;
    assert_eq!(link_state(&app, id).await.0, "dead");
    let path = format!("/resources/{id}");
    let (_, staff_view) = admin.get(&path).await;
    assert!(staff_view.contains("dead-link"));
    let (_, member_view) = member.get(&path).await;
    assert!(
        !member_view.contains("dead-link"),
        "members do not see the mark"
    );
    let (_, visitor_view) = app.get_html(&path).await;
    assert!(
        !visitor_view.contains("dead-link"),
        "visitors do not see the mark"
    );
}
