//! The per-request context the session middleware builds (who, which language, pending cookie changes)
//! and the `Ctx` extractor handlers use to read it and to build the common page frame.
use std::cell::RefCell;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::app::App;
use crate::auth::session::{self, ActiveSession};
use crate::auth::{permissions, CurrentUser};
use crate::error::AppError;
use crate::i18n::{Catalog, Lang};

/// A cookie change the session middleware applies to the response.
#[derive(Debug, Clone)]
pub enum CookieOp {
    SetSession(String),
    ClearSession,
    SetLang(Lang),
    SetFlash(&'static str),
    ClearFlash,
    /// A visitor's signed double-submit CSRF token (`auth::csrf::VisitorKey`).
    SetVisitorCsrf(String),
}

/// A visitor's CSRF token: the one their cookie carried (signature checked), or a new one that
/// reaches the browser only if the page has a form (`Ctx::ensure_session`).
#[derive(Debug, Clone)]
pub struct VisitorCsrf {
    pub token: String,
    /// The browser has the cookie (sent it, or this response sets it).
    pub in_cookie: bool,
}

#[derive(Clone)]
pub struct RequestContext {
    pub session: Option<ActiveSession>,
    pub lang: Lang,
    /// Catalog key of a message carried over a redirect.
    pub flash: Option<String>,
    pub client_ip: String,
    pub path: String,
    /// Unread notifications of the signed-in user (0 for visitors).
    pub unread_notifications: i64,
    /// Set when there is no session.
    pub visitor_csrf: Option<VisitorCsrf>,
    /// The community's brand, for the page frame.
    pub brand: Rc<crate::domain::Brand>,
    pub cookie_ops: Rc<RefCell<Vec<CookieOp>>>,
}

/// Handler-side view of [`RequestContext`]. Session changes made through it are shared with the middleware.
pub struct Ctx {
    inner: Rc<RefCell<RequestContext>>,
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = req
            .extensions()
            .get::<Rc<RefCell<RequestContext>>>()
            .cloned();
        ready(
            found
                .map(|inner| Ctx { inner })
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session middleware missing"))),
        )
    }
}

impl Ctx {
    pub fn from_shared(inner: Rc<RefCell<RequestContext>>) -> Self {
        Ctx { inner }
    }

    pub fn user(&self) -> Option<CurrentUser> {
        self.inner
            .borrow()
            .session
            .as_ref()
            .and_then(|s| s.user.clone())
    }

    pub fn lang(&self) -> Lang {
        self.inner.borrow().lang
    }

    pub fn t(&self) -> &'static Catalog {
        self.lang().catalog()
    }

    pub fn client_ip(&self) -> String {
        self.inner.borrow().client_ip.clone()
    }

    pub fn path(&self) -> String {
        self.inner.borrow().path.clone()
    }

    pub fn session(&self) -> Option<ActiveSession> {
        self.inner.borrow().session.clone()
    }

    /// A visitor whose page is everyone's: no session, no CSRF cookie (whose token a form on the
    /// page would carry), no message waiting (`web::posts::visitor_pages`).
    pub fn is_plain_visitor(&self) -> bool {
        let ctx = self.inner.borrow();
        ctx.session.is_none()
            && ctx.flash.is_none()
            && !ctx.visitor_csrf.as_ref().is_some_and(|v| v.in_cookie)
    }

    pub fn require_user(&self) -> Result<CurrentUser, AppError> {
        permissions::require_user(self.user().as_ref(), &self.path()).cloned()
    }

    pub fn require_staff(&self) -> Result<CurrentUser, AppError> {
        permissions::require_staff(self.user().as_ref(), &self.path()).cloned()
    }

    pub fn require_admin(&self) -> Result<CurrentUser, AppError> {
        permissions::require_admin(self.user().as_ref(), &self.path()).cloned()
    }

    fn push(&self, op: CookieOp) {
        self.inner.borrow().cookie_ops.borrow_mut().push(op);
    }

    /// Carries a message (catalog key) to the next page the browser loads.
    pub fn flash(&self, key: &'static str) {
        self.push(CookieOp::SetFlash(key));
    }

    /// Makes sure a form on this page can carry a CSRF token: the session's, or for a visitor the
    /// signed double-submit token, whose cookie is set now if the browser lacks it. Nothing is
    /// stored: a visitor opening a form writes no row.
    pub async fn ensure_session(&self, state: &App) -> Result<String, AppError> {
        if let Some(s) = self.session() {
            return Ok(s.csrf_token);
        }
        let mut ctx = self.inner.borrow_mut();
        let visitor = ctx.visitor_csrf.get_or_insert_with(|| VisitorCsrf {
            token: state.visitor_key.mint(),
            in_cookie: false,
        });
        let token = visitor.token.clone();
        if !visitor.in_cookie {
            visitor.in_cookie = true;
            ctx.cookie_ops
                .borrow_mut()
                .push(CookieOp::SetVisitorCsrf(token.clone()));
        }
        Ok(token)
    }

    /// Stores a session for a visitor who must be remembered between two requests before they are
    /// signed in (the password step of a two-factor log-in). Unlike [`Self::ensure_session`] this
    /// writes a row, so only a step that has already checked a password calls it.
    pub async fn start_pending_session(&self, state: &App) -> Result<ActiveSession, AppError> {
        if let Some(s) = self.session() {
            return Ok(s);
        }
        let (cookie, active) = session::start(&state.db, None, None, state.lifetimes()).await?;
        self.inner.borrow_mut().session = Some(active.clone());
        self.push(CookieOp::SetSession(cookie));
        Ok(active)
    }

    /// Signs `user` in with a brand-new session id (the pre-login one is discarded: no fixation).
    pub async fn sign_in(&self, state: &App, user: CurrentUser) -> Result<(), AppError> {
        if let Some(old) = self.session() {
            session::end(&state.db, &old).await?;
        }
        let (cookie, active) =
            session::start(&state.db, Some(user.id), Some(user), state.lifetimes()).await?;
        self.inner.borrow_mut().session = Some(active);
        self.push(CookieOp::SetSession(cookie));
        Ok(())
    }

    /// Ends the session on the server and clears the cookie.
    pub async fn sign_out(&self, state: &App) -> Result<(), AppError> {
        if let Some(old) = self.session() {
            session::end(&state.db, &old).await?;
        }
        self.inner.borrow_mut().session = None;
        self.push(CookieOp::ClearSession);
        Ok(())
    }

    pub fn set_lang(&self, lang: Lang) {
        self.inner.borrow_mut().lang = lang;
        self.push(CookieOp::SetLang(lang));
    }

    /// The frame every page shares: navigation, language, flash message, CSRF token.
    pub fn page(&self, title: impl Into<String>) -> Page {
        let ctx = self.inner.borrow();
        let lang = ctx.lang;
        Page {
            t: lang.catalog(),
            lang: lang.code(),
            other_langs: Lang::ALL
                .iter()
                .filter(|l| **l != lang)
                .map(|l| (l.code(), l.native_name()))
                .collect(),
            title: title.into(),
            user: ctx.session.as_ref().and_then(|s| s.user.clone()),
            csrf_token: ctx
                .session
                .as_ref()
                .map(|s| s.csrf_token.clone())
                .or_else(|| {
                    ctx.visitor_csrf
                        .as_ref()
                        .filter(|v| v.in_cookie)
                        .map(|v| v.token.clone())
                })
                .unwrap_or_default(),
            flash: ctx
                .flash
                .as_deref()
                .map(|k| lang.catalog().get(k).to_string()),
            path: ctx.path.clone(),
            unread_notifications: ctx.unread_notifications,
            brand_css: brand_stylesheet_url(&ctx.brand),
            logo: ctx.brand.logo.clone(),
            favicon: ctx.brand.favicon.clone(),
            footer_links: ctx.brand.footer_links.clone(),
            banner: ctx
                .brand
                .banner_on(chrono::Utc::now().date_naive())
                .map(str::to_string),
        }
    }

    /// The brand in force for this request.
    pub fn brand(&self) -> Rc<crate::domain::Brand> {
        self.inner.borrow().brand.clone()
    }
}

/// Data the base template needs on every page.
pub struct Page {
    pub t: &'static Catalog,
    pub lang: &'static str,
    pub other_langs: Vec<(&'static str, &'static str)>,
    pub title: String,
    pub user: Option<CurrentUser>,
    pub csrf_token: String,
    pub flash: Option<String>,
    pub path: String,
    /// Shown next to the username in the header.
    pub unread_notifications: i64,
    /// `/brand.css?v=<hash of its text>` when an accent colour is set.
    pub brand_css: Option<String>,
    /// The logo and favicon paths (empty: the forum's own).
    pub logo: String,
    pub favicon: String,
    pub footer_links: Vec<(String, String)>,
    /// The home page's announcement, until its last day.
    pub banner: Option<String>,
}

/// The brand stylesheet's address, fingerprinted by its text so it can be cached for a year.
pub fn brand_stylesheet_url(brand: &crate::domain::Brand) -> Option<String> {
    use sha2::Digest;
    let css = brand.stylesheet();
    if css.is_empty() {
        return None;
    }
    let hash = sha2::Sha256::digest(css.as_bytes());
    Some(format!("/brand.css?v={}", hex::encode(&hash[..6])))
}

impl Page {
    pub fn is_staff(&self) -> bool {
        self.user.as_ref().is_some_and(CurrentUser::is_staff)
    }
}

/// `scheme://host` of the request, for absolute URLs in feeds and meta tags: `AGORA_PUBLIC_URL`
/// when set; forwarded headers only from a trusted proxy (`AGORA_TRUSTED_PROXIES`); otherwise the
/// Host header and the cookie setting (secure means HTTPS) decide.
pub fn origin(req: &actix_web::HttpRequest, settings: &crate::config::Settings) -> String {
    if let Some(url) = &settings.public_url {
        return url.origin().ascii_serialization();
    }
    let peer = req.peer_addr().map(|a| a.ip());
    if crate::web::middleware::proxy::is_trusted(peer, &settings.trusted_proxies) {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let scheme = if settings.secure_cookies {
        "https"
    } else {
        "http"
    };
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .map_or_else(|| settings.bind.to_string(), str::to_string);
    format!("{scheme}://{host}")
}
