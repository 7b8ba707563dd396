//! The front page.
use actix_web::HttpResponse;
use askama::Template;

use super::context::{Ctx, Page};
use crate::error::AppError;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
}

pub async fn show(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let page = ctx.page(ctx.t().get("home.title"));
    super::ok(&HomePage { page })
}
