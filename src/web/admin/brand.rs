//! `POST /admin/settings/brand` (admins): logo, favicon, accent colours (each checked for 4.5:1 on
//! its mode's background), the announcement and its last day, footer links — refused values come
//! back on the settings page with the form kept; and `GET /brand.css`, the stylesheet that sets the
//! accent (a file, so the CSP stays as it is: no inline style).
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::app::App;
use crate::domain::Brand;
use crate::error::AppError;
use crate::services::brand::{self, StoredBrand};
use crate::web::context::{brand_stylesheet_url, Ctx};
use crate::web::form::FormErrors;

#[derive(Deserialize)]
pub struct BrandForm {
    #[serde(default)]
    logo: String,
    #[serde(default)]
    favicon: String,
    #[serde(default)]
    accent_light: String,
    #[serde(default)]
    accent_dark: String,
    #[serde(default)]
    banner: String,
    #[serde(default)]
    banner_until: String,
    #[serde(default)]
    footer_links: String,
}

pub async fn save(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<BrandForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let form = form.into_inner();
    let typed = StoredBrand {
        logo: form.logo,
        favicon: form.favicon,
        accent_light: form.accent_light,
        accent_dark: form.accent_dark,
        banner: form.banner,
        banner_until: form.banner_until,
        footer_links: form.footer_links,
    };
    if let Err(problems) = Brand::parse(typed.raw()) {
        let mut errors = FormErrors::default();
        for problem in &problems {
            errors.add(problem, ctx.t());
        }
        let page = super::settings::settings_page(&ctx, &state, typed, errors).await?;
        return crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    brand::save(&state, &me, &typed).await?;
    ctx.flash("admin.saved");
    Ok(crate::web::see_other("/admin/settings#brand"))
}

/// `GET /brand.css[?v=...]`: cached for a year when asked for by the current fingerprint.
pub async fn stylesheet(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let brand = ctx.brand();
    let current = brand_stylesheet_url(&brand)
        .is_some_and(|url| url.ends_with(&format!("?{}", req.query_string())));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, cache))
        .body(brand.stylesheet()))
}
