//! Tags.
use actix_web::HttpResponse;

use crate::error::AppError;

pub async fn list() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
pub async fn show() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
