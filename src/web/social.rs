//! Votes, comments, notifications and user profiles.
use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
