//! Who is calling the API: a personal access token (`Authorization: Bearer`), which then alone
//! decides (the session cookie is ignored, so a token never borrows someone's browser), or else the
//! browser session (whose writes passed the CSRF middleware with the `X-CSRF-Token` header).
use std::cell::RefCell;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::app::App;
use crate::auth::tokens::{self, TokenScope};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::{Catalog, Lang};
use crate::services::Writer;
use crate::web::context::{Ctx, RequestContext};
use crate::web::problem::Problem;

/// The caller of one API request.
pub struct Caller {
    user: Option<CurrentUser>,
    /// `None` for a browser session (it may do what its member may).
    token: Option<TokenScope>,
    lang: Lang,
    ip: String,
}

impl Caller {
    pub fn t(&self) -> &'static Catalog {
        self.lang.catalog()
    }

    /// Who reads (visitors read what the public sees).
    pub fn viewer(&self) -> Option<&CurrentUser> {
        self.user.as_ref()
    }

    /// Who writes: a signed-in member, with a token that may write.
    pub fn member(&self) -> Result<&CurrentUser, Problem> {
        let user = self
            .user
            .as_ref()
            .ok_or_else(|| Problem::unauthorized(self.t()))?;
        match self.token {
            Some(scope) if !scope.may_write() => Err(Problem::read_only_token(self.t())),
            _ => Ok(user),
        }
    }

    /// The writer the services take: the member and the address they write from.
    pub fn writer(&self) -> Result<Writer<'_>, Problem> {
        Ok(Writer::new(self.member()?, &self.ip))
    }
}

impl FromRequest for Caller {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let shared = req
            .extensions()
            .get::<Rc<RefCell<RequestContext>>>()
            .cloned();
        let header = req
            .headers()
            .get(AUTHORIZATION)
            .map(|h| h.to_str().map(str::to_string));
        let state = req.app_data::<web::Data<App>>().cloned();
        Box::pin(async move {
            let ctx = shared.map(Ctx::from_shared);
            let lang = ctx.as_ref().map_or(Lang::En, Ctx::lang);
            let t = lang.catalog();
            let ip = ctx.as_ref().map(Ctx::client_ip).unwrap_or_default();
            let Some(header) = header else {
                let user = ctx.as_ref().and_then(Ctx::user);
                return Ok(Caller {
                    user,
                    token: None,
                    lang,
                    ip,
                });
            };
            let token = header
                .ok()
                .and_then(|h| tokens::bearer(&h).map(str::to_string))
                .ok_or_else(|| Problem::unauthorized(t))?;
            let state = state.ok_or_else(|| {
                Problem::from_app(&AppError::Internal(anyhow::anyhow!("no app state")), t)
            })?;
            match tokens::authenticate(&state.db, &token).await {
                Ok(Some((user, scope))) => Ok(Caller {
                    user: Some(user),
                    token: Some(scope),
                    lang,
                    ip,
                }),
                Ok(None) => Err(Problem::unauthorized(t)),
                Err(e) => Err(Problem::from_app(&AppError::from(e), t)),
            }
        })
    }
}
