//! Articles, questions and answers: writing, editing, revisions, tags, lists and post pages.
use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
