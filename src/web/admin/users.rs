//! `/admin/users`: find accounts, change roles (admins), suspend and unsuspend (staff). Every change is
//! written to the audit log in the same transaction.
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db::{self, users::UserRecord};
use crate::domain::Role;
use crate::error::AppError;
use crate::services::{self, members::MemberRefusal};
use crate::web::context::{Ctx, Page};
use crate::web::refusal;

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Page,
    q: String,
    users: Vec<UserRow>,
    /// The address of the next page, when the list goes on.
    next: Option<String>,
}

/// Accounts per page of `/admin/users`.
const USERS_PER_PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    page: Page,
    user: UserRow,
    can_change_role: bool,
    actions: Vec<db::mod_log::ActionRecord>,
    /// Staff may silence the member or delete them as a spammer.
    can_moderate: bool,
    /// A spammer deletion that "restore" would undo.
    can_restore_content: bool,
    flags: Vec<crate::web::moderation::queue::FlagLine>,
    trust: crate::web::moderation::rules::TrustBox,
    /// An admin may export or delete this member's data (never another admin's).
    can_manage_data: bool,
    exports: Vec<super::personal_data::ExportLink>,
}

/// A user as the admin pages show it.
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: &'static str,
    pub reputation: i64,
    pub joined: String,
    pub suspended_until: Option<String>,
    pub suspend_reason: String,
    pub silenced_until: Option<String>,
}

fn date(ts: i64) -> String {
    crate::web::format::time(ts)
}

fn row(u: &UserRecord) -> UserRow {
    let now = db::now();
    UserRow {
        id: u.id,
        username: u.username.clone(),
        email: u.email.clone(),
        role: u.role.as_str(),
        reputation: u.reputation,
        joined: date(u.created_at),
        suspended_until: u.suspended_until.filter(|t| *t > now).map(date),
        suspend_reason: u.suspend_reason.clone().unwrap_or_default(),
        silenced_until: u.silenced_until.filter(|t| *t > now).map(date),
    }
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// The cursor of the last account on the previous page.
    after: Option<String>,
}

pub async fn list(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let bad_cursor = || AppError::Invalid(ctx.t().get("post.error.bad_cursor").to_string());
    if query.q.chars().count() > 254 || query.after.as_deref().is_some_and(|a| a.len() > 254) {
        return Err(bad_cursor());
    }
    let list =
        db::users::StaffList::parse(&query.q, query.after.as_deref()).ok_or_else(bad_cursor)?;
    let mut found = db::users::staff_list(&state.db, &list, USERS_PER_PAGE + 1).await?;
    let more = found.len() as i64 > USERS_PER_PAGE;
    found.truncate(USERS_PER_PAGE as usize);
    let next = match found.last() {
        Some((_, cursor)) if more => {
            let mut url = url::form_urlencoded::Serializer::new(String::new());
            if !query.q.trim().is_empty() {
                url.append_pair("q", query.q.trim());
            }
            url.append_pair("after", cursor);
            Some(format!("/admin/users?{}", url.finish()))
        }
        _ => None,
    };
    crate::web::ok(&UsersPage {
        page: ctx.page(ctx.t().get("admin.users")),
        q: query.q.clone(),
        users: found.iter().map(|(user, _)| row(user)).collect(),
        next,
    })
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let user = db::users::by_id(&state.db, *path)
        .await?
        .ok_or(AppError::NotFound)?;
    let filter = db::mod_log::LogFilter::default();
    let actions = db::mod_log::page(&state.db, &filter, 200)
        .await?
        .into_iter()
        .filter(|a| a.target_kind == "user" && a.target_id == Some(user.id))
        .collect();
    let t = ctx.t();
    let flags = db::flags::for_target(&state.db, "user", user.id)
        .await?
        .iter()
        .filter(|f| f.status == "open")
        .map(|f| crate::web::moderation::queue::FlagLine::new(f, t))
        .collect();
    crate::web::ok(&UserPage {
        page: ctx.page(user.username.clone()),
        can_moderate: crate::auth::policy::may_act_on_member(&me, &user),
        can_restore_content: db::moderation::has_open_sweep(&state.db, user.id).await?,
        flags,
        trust: crate::web::moderation::rules::trust_box(&state, user.id).await?,
        can_change_role: me.is_admin() && me.id != user.id,
        can_manage_data: me.is_admin()
            && me.id != user.id
            && crate::auth::policy::may_manage_account(&me, &user),
        exports: super::personal_data::export_links(&state, &me, user.id).await?,
        user: row(&user),
        actions,
    })
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
    #[serde(default)]
    reason: String,
}

/// Only admins change roles, and never their own (so the last admin cannot lock everyone out).
pub async fn change_role(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let user = db::users::by_id(&state.db, *path)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = match form.role.as_str() {
        "member" => Role::Member,
        "moderator" => Role::Moderator,
        "admin" => Role::Admin,
        _ => {
            return Err(AppError::Invalid(
                ctx.t().get("admin.unknown_role").to_string(),
            ))
        }
    };
    let done = services::members::set_role(&state, &me, &user, role, &form.reason)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    if done == Err(MemberRefusal::OwnRole) {
        return Err(AppError::Invalid(
            ctx.t().get("admin.cannot_change_own_role").to_string(),
        ));
    }
    ctx.flash("admin.saved");
    Ok(crate::web::see_other(&format!("/admin/users/{}", user.id)))
}

#[derive(Deserialize)]
pub struct SuspendForm {
    days: u32,
    reason: String,
}

/// Moderators may suspend members; admins may also suspend moderators. Nobody suspends an admin or
/// themselves from here.
pub async fn suspend(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<SuspendForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let user = db::users::by_id(&state.db, *path)
        .await?
        .ok_or(AppError::NotFound)?;
    let reason = form.reason.trim();
    if reason.is_empty() || form.days == 0 || form.days > 3650 {
        return Err(AppError::Invalid(
            ctx.t().get("admin.suspend_invalid").to_string(),
        ));
    }
    let until = db::now() + i64::from(form.days) * 86_400;
    let done = services::members::suspend(&state, &me, &user, until, &date(until), reason)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    if done.is_err() {
        return Err(AppError::Forbidden);
    }
    ctx.flash("admin.saved");
    Ok(crate::web::see_other(&format!("/admin/users/{}", user.id)))
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn unsuspend(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let user = db::users::by_id(&state.db, *path)
        .await?
        .ok_or(AppError::NotFound)?;
    let done = services::members::unsuspend(&state, &me, &user, &form.reason)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    if done.is_err() {
        return Err(AppError::Forbidden);
    }
    ctx.flash("admin.saved");
    Ok(crate::web::see_other(&format!("/admin/users/{}", user.id)))
}
