//! `POST /preview`.
use actix_web::HttpResponse;

use crate::error::AppError;

pub async fn render() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
