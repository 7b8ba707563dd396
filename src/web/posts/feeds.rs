//! Atom feeds and the sitemap.
use actix_web::HttpResponse;

use crate::error::AppError;

pub async fn site_feed() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
pub async fn tag_feed() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
pub async fn sitemap() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
