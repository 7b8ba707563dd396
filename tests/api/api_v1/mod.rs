//! The JSON API under `/api/v1`, driven as integrators drive it: a plain HTTP client with a
//! personal access token and no cookies ("curl-style"), or a signed-in browser with the
//! `X-CSRF-Token` header. Webhooks are checked with a real local receiver.
mod openapi;
mod reads;
mod tokens;
mod webhooks;
mod writes;

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;
use crate::member::Member;

/// A script holding a token: no cookies, no CSRF token, only `Authorization: Bearer`.
pub struct Curl {
    base: String,
    client: reqwest::Client,
    token: Option<String>,
}

impl Curl {
    pub fn new(app: &TestApp, token: Option<&str>) -> Curl {
        Curl {
            base: app.address.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            token: token.map(str::to_string),
        }
    }

    fn with_auth(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.with_auth(self.client.get(format!("{}{path}", self.base)))
            .send()
            .await
            .expect("get")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.with_auth(self.client.post(format!("{}{path}", self.base)))
            .json(body)
            .send()
            .await
            .expect("post")
    }
}

/// Makes a token on `/settings/tokens` as `member` and reads it off the page (shown once).
pub async fn make_token(member: &Member, name: &str, scope: &str) -> String {
    let res = member
        .post("/settings/tokens", &[("name", name), ("scope", scope)])
        .await;
    assert_eq!(res.status(), StatusCode::OK, "token made");
    let html = res.text().await.expect("body");
    token_on(&html).expect("the new token is on the page")
}

/// The token shown on a tokens page, if one is.
pub fn token_on(html: &str) -> Option<String> {
    let start = html.find("value=\"agora_")? + "value=\"".len();
    Some(
        html[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect(),
    )
}

/// A problem document: checks the media type and RFC 9457's members, returns the body.
pub async fn problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    let media = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(media, "application/problem+json");
    let body: Value = res.json().await.expect("problem json");
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["type"].is_string() && body["title"].is_string(),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}
