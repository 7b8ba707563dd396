//! Moderation: flags and the hide threshold, the moderation queue, staff actions on posts, comments
//! and accounts (each logged and told to the author), closed questions, locked comments, silenced
//! members and who may open the new admin routes. Members each have their own browser; roles and
//! reputation are set in the database to reach thresholds quickly.
mod access;
mod accounts;
mod actions;
mod flags;

use reqwest::{Response, StatusCode};

use crate::helpers::{csrf_token, location, spawn_app_with, TestApp, PASSWORD};
use agora::domain::Role;

/// A member with their own browser against the shared server.
pub struct Member {
    pub id: i64,
    pub client: reqwest::Client,
    base: String,
    token: String,
}

impl Member {
    pub async fn join(app: &TestApp, name: &str) -> Member {
        let (client, _) = app.new_browser();
        let res = app
            .register_in(&client, name, &format!("{name}@example.com"), PASSWORD)
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-up of {name}");
        let settings = client
            .get(app.url("/settings"))
            .send()
            .await
            .expect("settings");
        let token = csrf_token(&settings.text().await.expect("body"));
        let id = agora::db::users::by_username(&app.db, name)
            .await
            .expect("db")
            .expect("user")
            .id;
        Member {
            id,
            client,
            base: app.address.clone(),
            token,
        }
    }

    /// A member with `role` and `reputation`.
    pub async fn with(app: &TestApp, name: &str, role: Role, reputation: i64) -> Member {
        let member = Member::join(app, name).await;
        agora::db::users::set_role(&app.db, member.id, role)
            .await
            .expect("role");
        set_reputation(app, member.id, reputation).await;
        member
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get");
        (res.status(), res.text().await.expect("body"))
    }

    /// A plain form post, as a browser without JavaScript sends it.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut body = fields.to_vec();
        body.push(("csrf_token", &self.token));
        self.client
            .post(format!("{}{path}", self.base))
            .form(&body)
            .send()
            .await
            .expect("post")
    }

    pub async fn ask(&self, title: &str) -> i64 {
        let res = self
            .post(
                "/questions",
                &[
                    ("title", title),
                    ("body", "How do I fine-tune this model?"),
                    ("tags", "llm"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "question posted");
        id_after(&location(&res), "/questions/")
    }

    pub async fn answer(&self, question: i64) -> i64 {
        let res = self
            .post(
                &format!("/questions/{question}/answers"),
                &[("body", "Use LoRA with a small rank.")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "answer posted");
        id_after(&location(&res), "#answer-")
    }

    pub async fn comment(&self, post_id: i64, body: &str) -> Response {
        self.post(
            "/comments",
            &[("post_id", &post_id.to_string()), ("body", body)],
        )
        .await
    }

    pub async fn flag(&self, kind: &str, id: i64, reason: &str, note: &str) -> Response {
        self.post(
            "/flags",
            &[
                ("target_kind", kind),
                ("target_id", &id.to_string()),
                ("reason", reason),
                ("note", note),
            ],
        )
        .await
    }
}

pub fn id_after(location: &str, marker: &str) -> i64 {
    let start = location
        .find(marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("{marker} in {location}"));
    location[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("an id in {location}"))
}

pub async fn app() -> TestApp {
    spawn_app_with(&[("AGORA_REGISTRATIONS_PER_IP", "1000")]).await
}

pub async fn set_reputation(app: &TestApp, user_id: i64, reputation: i64) {
    sqlx::query("UPDATE users SET reputation = $1 WHERE id = $2")
        .bind(reputation)
        .bind(user_id)
        .execute(app.db.writer())
        .await
        .expect("set reputation");
}

pub async fn post_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM posts WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("post status")
}

pub async fn comment_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM comments WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("comment status")
}

/// How many audit rows name this action on this target.
pub async fn audit_rows(app: &TestApp, action: &str, kind: &str, id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM mod_actions WHERE action = $1 AND target_kind = $2 AND target_id = $3",
    )
    .bind(action)
    .bind(kind)
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("audit rows")
}

/// Moderation notifications the user has received.
pub async fn moderation_notices(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'moderation'",
    )
    .bind(user_id)
    .fetch_one(app.db.reader())
    .await
    .expect("notifications")
}
