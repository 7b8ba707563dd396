//! Personal data: a member's export (a zip of JSON files built by a job, downloadable only by who
//! asked), deleting an account with the posts kept under an anonymised name or removed, and an
//! admin doing both for a member; each audited.
use std::io::Read;

use agora::domain::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{location, spawn_app, TestApp, PASSWORD};
use crate::member::Member;

/// The files of a zip, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let mut content = Vec::new();
        file.read_to_end(&mut content).expect("read");
        files.insert(file.name().to_string(), content);
    }
    files
}

fn json(files: &std::collections::BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_slice(
        files
            .get(name)
            .unwrap_or_else(|| panic!("{name} in the zip")),
    )
    .expect("JSON")
}

async fn audit(app: &TestApp, action: &str, user_id: i64) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT actor_id, detail FROM mod_actions WHERE action = $1 AND target_id = $2")
        .bind(action)
        .bind(user_id)
        .fetch_all(app.db.reader())
        .await
        .expect("audit")
}

/// The download link on a data page (`/settings/export/{id}`), once the job built it.
fn download_link(page: &str) -> Option<String> {
    let start = page.find("href=\"/settings/export/")? + "href=\"".len();
    let end = page[start..].find('"')? + start;
    Some(page[start..end].to_string())
}

#[tokio::test]
async fn a_member_downloads_everything_they_wrote_and_did_as_a_zip() {
    let app = spawn_app().await;
    let ada = Member::with(&app, "ada", Role::Member, 100).await;
    let bob = Member::join(&app, "bob").await;
    let question = ada
        .ask_with(
            "How do I pick a LoRA rank?",
            "First version of the body.",
            "llm",
        )
        .await;
    let res = ada
        .post(
            &format!("/questions/{question}/edit"),
            &[
                ("title", "How do I pick a LoRA rank?"),
                ("body", "Second version, with the model size."),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "edited");
    let theirs = bob.ask("Why does my loss spike at step 300?").await;
    let answer = bob.answer(question).await;
    assert_eq!(
        ada.comment(theirs, "Check the learning-rate warm-up.")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    ada.vote("answer", answer, 1).await;
    let uploaded = ada.upload("plot.png", crate::uploads::png(30, 20)).await;
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let theirs_id = theirs.to_string();
    let saved = ada
        .post(
            "/bookmarks",
            &[("target_kind", "question"), ("target_id", &theirs_id)],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER, "bookmarked");

    let res = ada.post("/settings/export", &[]).await;
    assert_eq!(location(&res), "/settings/data");
    let page = ada.page("/settings/data").await;
    assert!(
        download_link(&page).is_none(),
        "not ready before the job ran"
    );
    assert!(app.run_jobs().await >= 1);
    let link = download_link(&ada.page("/settings/data").await).expect("a download link");

    let res = ada.client.get(app.url(&link)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let files = unzip(&res.bytes().await.expect("bytes"));

    let profile = json(&files, "profile.json");
    assert_eq!(profile["username"], "ada");
    assert!(profile["email"]
        .as_str()
        .unwrap_or("")
        .contains("@example.com"));
    assert!(
        !String::from_utf8_lossy(&files["profile.json"]).contains("argon2"),
        "no password hash"
    );
    let posts = json(&files, "posts.json");
    let mine = posts
        .as_array()
        .and_then(|p| p.iter().find(|p| p["id"] == question))
        .expect("the question");
    assert_eq!(mine["body_md"], "Second version, with the model size.");
    let revisions: Vec<&str> = mine["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .filter_map(|r| r["body_md"].as_str())
        .collect();
    assert!(
        revisions.contains(&"First version of the body."),
        "{revisions:?}"
    );
    assert_eq!(
        json(&files, "comments.json")[0]["body_md"],
        "Check the learning-rate warm-up."
    );
    let votes = json(&files, "votes.json");
    assert_eq!(
        (votes[0]["target_id"].as_i64(), votes[0]["value"].as_i64()),
        (Some(answer), Some(1))
    );
    let bookmarks = json(&files, "bookmarks.json");
    assert_eq!(
        (
            bookmarks[0]["target_kind"].as_str(),
            bookmarks[0]["target_id"].as_i64()
        ),
        (Some("post"), Some(theirs)),
        "the bookmark is in the export"
    );
    let uploads = json(&files, "uploads.json");
    let sha = uploads[0]["sha256"].as_str().expect("the upload");
    let image = &files[&format!("uploads/{sha}.png")];
    assert!(
        image::load_from_memory(image).is_ok(),
        "the image itself is in the zip"
    );
    assert!(
        !String::from_utf8_lossy(&files["posts.json"]).contains("Why does my loss spike"),
        "only ada's posts"
    );

    // Nobody else can fetch it, not even knowing the address.
    let (status, _) = bob.get(&link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!app.get(&link).await.status().is_success());
    assert_eq!(audit(&app, "export_personal_data", ada.id).await.len(), 1);
}

#[tokio::test]
async fn deleting_an_account_can_keep_the_posts_under_an_anonymised_name() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let question = ada
        .ask_with(
            "What does weight decay do to attention?",
            "Long body about decay.",
            "llm",
        )
        .await;

    let res = ada
        .post(
            "/settings/delete-account",
            &[("password", "not my password at all"), ("content", "keep")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("page")
        .contains("value=\"keep\" checked"));
    assert!(
        !agora::db::users::by_id(&app.db, ada.id)
            .await
            .expect("db")
            .expect("user")
            .deleted
    );

    let res = ada
        .post(
            "/settings/delete-account",
            &[("password", PASSWORD), ("content", "keep")],
        )
        .await;
    assert_eq!(location(&res), "/");
    // Signed out everywhere; the name is free again and the old password opens nothing.
    let (status, _) = ada.get("/settings").await;
    assert_ne!(status, StatusCode::OK);
    assert_ne!(
        app.login("ada", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let record = agora::db::users::by_id(&app.db, ada.id)
        .await
        .expect("db")
        .expect("user");
    assert!(record.deleted);
    assert_eq!(record.username, format!("deleted-member-{}", ada.id));
    assert!(!record.email.contains("example.com"));

    let visitor = Member::join(&app, "eve").await;
    let page = visitor.page(&format!("/questions/{question}")).await;
    assert!(page.contains("Long body about decay."), "the post stays");
    assert!(
        page.contains("deleted-member-"),
        "under the anonymised name"
    );
    assert!(!page.contains(">ada<"));
    let log = audit(&app, "delete_account", ada.id).await;
    assert_eq!(
        log,
        vec![(
            ada.id,
            "posts kept under the anonymised account".to_string()
        )]
    );
}

#[tokio::test]
async fn deleting_an_account_can_remove_the_posts_and_their_text() {
    let app = spawn_app().await;
    let ada = Member::with(&app, "ada", Role::Member, 100).await;
    let bob = Member::join(&app, "bob").await;
    let question = ada
        .ask_with(
            "Is RMSNorm better than LayerNorm?",
            "Private thoughts on norms.",
            "llm",
        )
        .await;
    let theirs = bob.ask("Which tokenizer for Chinese text?").await;
    let res = ada.comment(theirs, "Try a byte-level BPE first.").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(bob
        .page(&format!("/questions/{theirs}"))
        .await
        .contains("byte-level BPE"));

    let res = ada
        .post(
            "/settings/delete-account",
            &[("password", PASSWORD), ("content", "remove")],
        )
        .await;
    assert_eq!(location(&res), "/");
    let (status, _) = bob.get(&format!("/questions/{question}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let page = bob.page(&format!("/questions/{theirs}")).await;
    assert!(!page.contains("byte-level BPE"), "the comment is gone");
    let left: Vec<(String,)> = sqlx::query_as("SELECT body_md FROM posts WHERE author_id = $1")
        .bind(ada.id)
        .fetch_all(app.db.reader())
        .await
        .expect("db");
    assert!(
        left.iter().all(|(body,)| body.is_empty()),
        "text erased: {left:?}"
    );
    let log = audit(&app, "delete_account", ada.id).await;
    assert_eq!(log.len(), 1);
    assert!(log[0].1.contains("1 posts, 1 comments"), "{:?}", log[0]);
}

#[tokio::test]
async fn an_admin_exports_and_deletes_a_member_but_not_another_admin() {
    let app = spawn_app().await;
    let root = Member::with(&app, "root", Role::Admin, 1).await;
    let other_admin = Member::with(&app, "alice", Role::Admin, 1).await;
    let moderator = Member::with(&app, "mod", Role::Moderator, 1).await;
    let ada = Member::join(&app, "ada").await;
    let question = ada.ask("Where do I find small GPT-2 checkpoints?").await;

    let res = moderator
        .post(&format!("/admin/users/{}/export", ada.id), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = root
        .post(&format!("/admin/users/{}/export", other_admin.id), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = root
        .post(&format!("/admin/users/{}/export", ada.id), &[])
        .await;
    assert_eq!(location(&res), format!("/admin/users/{}", ada.id));
    app.run_jobs().await;
    let link = download_link(&root.page(&format!("/admin/users/{}", ada.id)).await).expect("link");
    let res = root.client.get(app.url(&link)).send().await.expect("get");
    let files = unzip(&res.bytes().await.expect("zip"));
    assert_eq!(json(&files, "profile.json")["username"], "ada");
    let (status, _) = ada.get(&link).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the admin's export is the admin's to fetch"
    );
    assert_eq!(
        audit(&app, "export_personal_data", ada.id).await[0].0,
        root.id
    );

    let res = moderator
        .post(
            &format!("/admin/users/{}/delete-account", ada.id),
            &[("content", "remove")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = root
        .post(
            &format!("/admin/users/{}/delete-account", other_admin.id),
            &[("content", "keep")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = root
        .post(
            &format!("/admin/users/{}/delete-account", ada.id),
            &[("content", "remove")],
        )
        .await;
    assert!(res.status().is_redirection());
    let (status, _) = root.get(&format!("/questions/{question}")).await;
    assert_ne!(status, StatusCode::OK);
    let log = audit(&app, "delete_account", ada.id).await;
    assert_eq!(log[0].0, root.id);
}
