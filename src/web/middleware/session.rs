//! Loads the session named by the cookie (one indexed read), picks the language, checks a visitor's
//! signed CSRF cookie (no read at all), and afterwards writes whatever cookie changes the handler
//! asked for.
use std::cell::RefCell;
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

use crate::app::App;
use crate::auth::csrf;
use crate::auth::session::{self, Lookup};
use crate::i18n::Lang;
use crate::web::context::{CookieOp, RequestContext, VisitorCsrf};

const LANG_COOKIE: &str = "agora_lang";
const FLASH_COOKIE: &str = "agora_flash";

pub async fn load_session(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(state) = req.app_data::<web::Data<App>>().cloned() else {
        return next.call(req).await;
    };
    let cookie_name = state.session_cookie_name();
    let mut ops = Vec::new();

    let session = match req.cookie(cookie_name) {
        Some(cookie) => match session::load(&state.db, cookie.value(), state.lifetimes()).await {
            Ok(Lookup::Active(active)) => Some(active),
            Ok(Lookup::Dead) => {
                ops.push(CookieOp::ClearSession);
                None
            }
            Err(e) => return Err(crate::error::AppError::from(e).into()),
        },
        None => None,
    };

    let query_lang = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.lang.as_deref().and_then(Lang::from_tag));
    if let Some(lang) = query_lang {
        ops.push(CookieOp::SetLang(lang));
    }
    let user_lang = session
        .as_ref()
        .and_then(|s| s.user.as_ref())
        .and_then(|u| u.locale.as_deref())
        .and_then(Lang::from_tag);
    let cookie_lang = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_tag(c.value()));
    let header_lang = req
        .headers()
        .get("accept-language")
        .and_then(|h| h.to_str().ok())
        .and_then(Lang::from_accept_language);
    let asked_lang = query_lang.or(user_lang).or(cookie_lang).or(header_lang);
    let is_static = req.path().starts_with("/static/");
    // The community's brand (logo, accent, footer links) for the page frame, and the site's default
    // language when nothing the visitor sent names one the forum has: one settings read.
    let (brand, lang) = match (is_static, asked_lang) {
        (true, Some(lang)) => (Rc::default(), lang),
        (true, None) => (
            Rc::default(),
            crate::services::settings::default_language(&state.db)
                .await
                .unwrap_or(Lang::En),
        ),
        (false, Some(lang)) => (
            Rc::new(
                crate::services::brand::load(&state.db)
                    .await
                    .map_err(crate::error::AppError::from)?,
            ),
            lang,
        ),
        (false, None) => {
            let (brand, lang) = crate::services::brand::load_with_default_language(&state.db)
                .await
                .map_err(crate::error::AppError::from)?;
            (Rc::new(brand), lang)
        }
    };

    let flash = req.cookie(FLASH_COOKIE).map(|c| c.value().to_string());
    if flash.is_some() {
        ops.push(CookieOp::ClearFlash);
    }

    // One indexed COUNT for signed-in users, for the header's notification badge (pages only).
    let signed_in = session.as_ref().and_then(|s| s.user.as_ref());
    let unread_notifications = match signed_in.filter(|_| !req.path().starts_with("/static/")) {
        Some(user) => crate::db::notifications::unread_count(&state.db, user.id)
            .await
            .map_err(crate::error::AppError::from)?,
        None => 0,
    };
    if let Some((session, user)) = session
        .as_ref()
        .and_then(|s| s.user.as_ref().map(|u| (s, u)))
        .filter(|_| !req.path().starts_with("/static/"))
    {
        crate::moderation::promotion::note_visit(&state.db, &session.id_hash, user).await;
    }
    let client_ip = client_ip(&req, &state.settings.trusted_proxies);
    // A visitor's form token: the signed cookie they carry; a new one only if a page asks for it.
    let visitor_cookie = csrf::visitor_cookie_name(state.settings.secure_cookies);
    let visitor_csrf = session
        .is_none()
        .then(|| req.cookie(visitor_cookie))
        .flatten()
        .map(|c| c.value().to_string())
        .filter(|token| state.visitor_key.verify(token))
        .map(|token| VisitorCsrf {
            token,
            in_cookie: true,
        });
    let context = RequestContext {
        brand,
        session,
        lang,
        flash,
        client_ip,
        unread_notifications,
        visitor_csrf,
        path: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_string(), |p| p.as_str().to_string()),
        cookie_ops: Rc::new(RefCell::new(ops)),
    };
    let ops = context.cookie_ops.clone();
    req.extensions_mut().insert(Rc::new(RefCell::new(context)));

    let mut res = next.call(req).await?;
    let secure = state.settings.secure_cookies;
    for op in ops.borrow().iter() {
        let cookie = match op {
            CookieOp::SetSession(value) => {
                let max_age = state.settings.session_absolute.as_secs() as i64;
                base_cookie(cookie_name, value.clone(), secure)
                    .max_age(CookieDuration::seconds(max_age))
                    .finish()
            }
            CookieOp::ClearSession => removal(cookie_name, secure),
            CookieOp::SetLang(lang) => base_cookie(LANG_COOKIE, lang.code().to_string(), secure)
                .max_age(CookieDuration::days(365))
                .finish(),
            CookieOp::SetFlash(key) => {
                base_cookie(FLASH_COOKIE, (*key).to_string(), secure).finish()
            }
            CookieOp::ClearFlash => removal(FLASH_COOKIE, secure),
            CookieOp::SetVisitorCsrf(token) => base_cookie(visitor_cookie, token.clone(), secure)
                .max_age(CookieDuration::days(1))
                .finish(),
        };
        res.response_mut()
            .add_cookie(&cookie)
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    Ok(res)
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn base_cookie(
    name: &'static str,
    value: String,
    secure: bool,
) -> actix_web::cookie::CookieBuilder<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
}

fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    base_cookie(name, String::new(), secure)
        .max_age(CookieDuration::ZERO)
        .finish()
}

/// The address rate limits count against; see [`super::proxy`].
fn client_ip(req: &ServiceRequest, trusted: &[ipnet::IpNet]) -> String {
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|h| h.to_str().ok())
        .collect();
    super::proxy::client_ip(req.peer_addr().map(|a| a.ip()), &forwarded, trusted)
}
