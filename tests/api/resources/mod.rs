//! Resource listings: submission and review, who sees pending entries, validation with the form
//! kept, duplicates, lists with filters and sorts, votes, search, flags, staff-only review routes
//! and the background link check. Members each have their own browser (see `moderation::Member`).
mod comments;
mod links;
mod listing;
mod review;

use reqwest::{Response, StatusCode};

use crate::helpers::location;
use crate::moderation::{id_after, Member};

/// A valid paper submission; `overrides` replace fields by name.
pub fn paper(
    title: &str,
    url: &str,
    overrides: &[(&'static str, &'static str)],
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![
        ("kind".into(), "paper".into()),
        ("title".into(), title.into()),
        ("url".into(), url.into()),
        ("authors".into(), "Edward J. Hu, Yelong Shen".into()),
        ("year".into(), "2021".into()),
        ("identifier".into(), String::new()),
        ("level".into(), "advanced".into()),
        ("language".into(), "en".into()),
        ("licence".into(), "CC BY 4.0".into()),
        (
            "description".into(),
            "Freeze the weights and train **low-rank** adapters.".into(),
        ),
        ("tags".into(), "fine-tuning, lora".into()),
    ];
    for (name, value) in overrides {
        if let Some(field) = fields.iter_mut().find(|(n, _)| n == name) {
            field.1 = value.to_string();
        }
    }
    fields
}

pub async fn submit(member: &Member, fields: &[(String, String)]) -> Response {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    member.post("/resources", &borrowed).await
}

/// Submits and returns the new entry's id.
pub async fn submit_ok(member: &Member, fields: &[(String, String)]) -> i64 {
    let res = submit(member, fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "resource submitted");
    id_after(&location(&res), "/resources/")
}

pub async fn resource_status(app: &crate::helpers::TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM resources WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("resource status")
}
