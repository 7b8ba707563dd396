//! The test vocabulary: a signed-in member with their own browser (cookies) against the shared
//! server, who asks, answers, writes articles, comments, votes and flags through the same forms and
//! fetch calls a person's browser sends. Roles and reputation are set in the database to reach
//! thresholds quickly.
use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::{csrf_token, location, TestApp, PASSWORD};
use agora::domain::Role;

pub struct Member {
    pub id: i64,
    pub name: String,
    pub client: reqwest::Client,
    base: String,
    token: String,
}

impl Member {
    /// Signs up `name` (any script: the address is derived from it) in a new browser.
    pub async fn join(app: &TestApp, name: &str) -> Member {
        let (client, _) = app.new_browser();
        Member::join_in(app, client, name).await
    }

    /// Signs up `name` from `address`: every request of theirs says it comes from there through a
    /// proxy (the app must trust 127.0.0.1 as one, `AGORA_TRUSTED_PROXIES`).
    pub async fn join_from(app: &TestApp, name: &str, address: &str) -> Member {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            address.parse().expect("an address header"),
        );
        let client = reqwest::Client::builder()
            .cookie_provider(std::sync::Arc::new(reqwest::cookie::Jar::default()))
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        Member::join_in(app, client, name).await
    }

    async fn join_in(app: &TestApp, client: reqwest::Client, name: &str) -> Member {
        let email = format!("{}@example.com", hex::encode(name));
        let res = app.register_in(&client, name, &email, PASSWORD).await;
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
            name: name.to_string(),
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

    /// This browser's CSRF token (for the `X-CSRF-Token` header of fetch calls).
    pub fn csrf(&self) -> &str {
        &self.token
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

    /// A page, following the redirect from a bare post address to its canonical one.
    pub async fn page(&self, path: &str) -> String {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get");
        if res.status().is_redirection() {
            return self.get(&location(&res)).await.1;
        }
        res.text().await.expect("body")
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

    /// A form post as a page's script sends it with `fetch` (CSRF header, JSON answer).
    pub async fn post_json(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("X-CSRF-Token", &self.token)
            .header("Accept", "application/json")
            .form(fields)
            .send()
            .await
            .expect("post")
    }

    /// A form post without the CSRF token (a forged request).
    pub async fn post_without_token(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("post")
    }

    pub async fn ask(&self, title: &str) -> i64 {
        self.ask_with(title, "How do I fine-tune this model?", "llm")
            .await
    }

    pub async fn ask_with(&self, title: &str, body: &str, tags: &str) -> i64 {
        let res = self
            .post(
                "/questions",
                &[("title", title), ("body", body), ("tags", tags)],
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

    pub async fn write_article(&self, title: &str, draft: bool) -> i64 {
        let mut fields = vec![
            ("title", title),
            ("body", "Long-form notes on attention."),
            ("tags", "transformers"),
        ];
        if draft {
            fields.push(("draft", "1"));
        }
        let res = self.post("/articles", &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "article posted");
        id_after(&location(&res), "/articles/")
    }

    pub async fn comment(&self, post_id: i64, body: &str) -> Response {
        self.post(
            "/comments",
            &[("post_id", &post_id.to_string()), ("body", body)],
        )
        .await
    }

    /// A vote as `static/js/votes.js` sends it.
    pub async fn vote_json(&self, kind: &str, id: i64, value: i64) -> Response {
        self.client
            .post(format!("{}/votes", self.base))
            .header("X-CSRF-Token", &self.token)
            .header("Accept", "application/json")
            .form(&[
                ("target_kind", kind),
                ("target_id", &id.to_string()),
                ("value", &value.to_string()),
            ])
            .send()
            .await
            .expect("vote")
    }

    pub async fn vote(&self, kind: &str, id: i64, value: i64) -> Value {
        let res = self.vote_json(kind, id, value).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{} votes {value} on {kind} {id}",
            self.name
        );
        res.json().await.expect("json")
    }

    /// An image as the editor's script sends it: multipart `file`, the token in the header.
    pub async fn upload(&self, file_name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        self.client
            .post(format!("{}/uploads", self.base))
            .header("X-CSRF-Token", &self.token)
            .header("Accept", "application/json")
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("upload")
    }

    /// A file form as a browser without JavaScript sends it: the token is the first field.
    pub async fn upload_form(&self, path: &str, file_name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", self.token.clone())
            .part("file", part);
        self.client
            .post(format!("{}{path}", self.base))
            .header("Accept", "text/html,application/xhtml+xml")
            .multipart(form)
            .send()
            .await
            .expect("upload form")
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

/// The id that follows `marker` in an address (`/questions/12/...`, `#answer-7`).
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

pub async fn set_reputation(app: &TestApp, user_id: i64, reputation: i64) {
    sqlx::query("UPDATE users SET reputation = $1 WHERE id = $2")
        .bind(reputation)
        .bind(user_id)
        .execute(app.db.writer())
        .await
        .expect("set reputation");
}
