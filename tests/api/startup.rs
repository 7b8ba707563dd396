//! The `agora` binary: bad settings stop it with one clear line; SIGTERM stops it cleanly; the first admin
//! is created from the command line.
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::{spawn_app, PASSWORD};

fn agora() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AGORA_LOG", "warn");
    cmd
}

fn assert_one_line_error(cmd: &mut Command, setting: &str) {
    let out = cmd.output().expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(setting), "{setting}: {stderr}");
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "one line, no backtrace: {stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn bad_settings_stop_start_up_with_one_line_naming_the_setting() {
    let dir = tempfile::tempdir().expect("dir");
    assert_one_line_error(
        agora()
            .arg("migrate")
            .env("DATABASE_URL", "mysql://localhost/x"),
        "DATABASE_URL",
    );
    assert_one_line_error(agora().arg("serve").env("AGORA_LOG", "chatty"), "AGORA_LOG");
    assert_one_line_error(
        agora().arg("serve").env("AGORA_BIND", "not-an-address"),
        "AGORA_BIND",
    );
    assert_one_line_error(
        agora()
            .arg("serve")
            .env("AGORA_UPLOAD_S3_URL", "forum-images"),
        "AGORA_UPLOAD_S3_URL",
    );
    assert_one_line_error(
        agora()
            .arg("serve")
            .env("AGORA_UPLOAD_S3_URL", "s3://forum-images")
            .env("AGORA_UPLOAD_S3_ENDPOINT", "http://10.0.0.5:9000"),
        "AGORA_UPLOAD_S3_ENDPOINT",
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let db = format!("sqlite://{}/a.db", dir.path().display());
    assert_one_line_error(
        agora()
            .arg("serve")
            .env("AGORA_BIND", &addr)
            .env("DATABASE_URL", &db),
        "AGORA_BIND",
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().expect("dir");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut child = agora()
        .arg("serve")
        .env("AGORA_BIND", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/a.db", dir.path().display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let url = format!("http://127.0.0.1:{port}/healthz");
    let start = Instant::now();
    loop {
        if let Ok(res) = reqwest::get(&url).await {
            assert_eq!(res.status(), StatusCode::OK);
            let body: serde_json::Value = res.json().await.expect("json");
            assert_eq!(body["database"], "ok");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "server came up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "stopped in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn admin_create_makes_an_admin_from_stdin() {
    let app = spawn_app().await;
    let db_url = app.settings.database_url.as_str().to_string();
    let mut child = agora()
        .args(["admin", "create", "root", "root@example.com"])
        .env("DATABASE_URL", &db_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut weak = agora()
        .args(["admin", "create", "root2", "root2@example.com"])
        .env("DATABASE_URL", &db_url)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    weak.stdin
        .take()
        .expect("stdin")
        .write_all(b"password\n")
        .expect("write");
    let out = weak.wait_with_output().expect("wait");
    assert!(
        !out.status.success(),
        "weak admin passwords are refused too"
    );

    let res = app.login("root", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/admin").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn healthz_reports_the_database() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}
