//! `/search`: full-text search over posts and resources.
use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
