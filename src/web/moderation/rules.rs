//! `/admin/rules`: moderators see the rules and their hit counts, admins add, edit, switch off and
//! delete them and set the trust-level thresholds (every change audited through `services::rules`).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::moderation::rules::{
    Counted, Rule, RuleAction, RuleDraft, RuleInput, RuleKind, EVERYONE, MAX_PATTERN_CHARS,
};
use crate::moderation::trust::{Thresholds, FIELDS};
use crate::services::{self, rules::RuleChange};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal;

/// One rule as the list shows it.
pub struct RuleRow {
    pub id: i64,
    pub kind: String,
    pub description: String,
    pub detail: String,
    pub action: &'static str,
    pub enabled: bool,
    pub hits: i64,
}

fn row(rule: &Rule, hits: i64, t: &Catalog) -> RuleRow {
    let below = if rule.below_trust >= EVERYONE {
        String::new()
    } else {
        t.fill(
            "rules.below_trust",
            &[("level", &rule.below_trust.to_string())],
        )
    };
    let detail = match rule.kind {
        RuleKind::BannedWords | RuleKind::Regex => rule.pattern.clone(),
        RuleKind::LinkLimit | RuleKind::HoldNew => rule.max_count.to_string(),
        RuleKind::NoImages => String::new(),
        RuleKind::RateLimit => format!(
            "{} / {} s · {} · {}",
            rule.max_count,
            rule.window_secs,
            rule.applies_to.as_str(),
            rule.scope.as_str()
        ),
    };
    RuleRow {
        id: rule.id,
        kind: t.get(rule.kind.catalog_key()).to_string(),
        description: rule.description.clone(),
        detail: format!("{detail} {below}").trim().to_string(),
        action: rule.action.as_str(),
        enabled: rule.enabled,
        hits,
    }
}

/// The rule form (new or edit) with the admin's input.
pub struct RuleFormView {
    pub action_url: String,
    pub draft: RuleDraft,
    pub kinds: Vec<(&'static str, String)>,
    pub actions: Vec<&'static str>,
    pub counted: Vec<&'static str>,
    pub max_pattern: usize,
    pub errors: FormErrors,
}

impl RuleFormView {
    fn new(action_url: String, draft: RuleDraft, errors: FormErrors, t: &Catalog) -> Self {
        RuleFormView {
            action_url,
            draft,
            kinds: RuleKind::ALL
                .iter()
                .map(|k| (k.as_str(), t.get(k.catalog_key()).to_string()))
                .collect(),
            actions: RuleAction::ALL.iter().map(|a| a.as_str()).collect(),
            counted: Counted::ALL.iter().map(|c| c.as_str()).collect(),
            max_pattern: MAX_PATTERN_CHARS,
            errors,
        }
    }

    pub fn enabled(&self) -> bool {
        self.draft.enabled.is_some()
    }
}

/// One threshold input.
pub struct ThresholdField {
    pub name: String,
    pub label: String,
    pub value: i64,
}

#[derive(Template)]
#[template(path = "moderation/rules.html")]
struct RulesPage {
    page: Page,
    can_edit: bool,
    rules: Vec<RuleRow>,
    form: RuleFormView,
    /// Per level 1–3: its heading and fields.
    levels: Vec<(String, Vec<ThresholdField>)>,
}

#[derive(Template)]
#[template(path = "moderation/rule_edit.html")]
struct RuleEditPage {
    page: Page,
    form: RuleFormView,
}

async fn levels(state: &App, t: &Catalog) -> Result<Vec<(String, Vec<ThresholdField>)>, AppError> {
    let thresholds = db::trust::thresholds(&state.db).await?;
    Ok((1..=3)
        .map(|level| {
            let fields = FIELDS
                .iter()
                .map(|field| ThresholdField {
                    name: Thresholds::setting_key(level, field),
                    label: t.get(&format!("rules.trust.{field}")).to_string(),
                    value: thresholds.get(level, field).unwrap_or(0),
                })
                .collect();
            (
                t.fill("rules.trust.level", &[("level", &level.to_string())]),
                fields,
            )
        })
        .collect())
}

async fn list_page(
    ctx: &Ctx,
    state: &App,
    me: &CurrentUser,
    draft: RuleDraft,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let rules = db::rules::all_with_hits(&state.db)
        .await?
        .iter()
        .map(|(rule, hits)| row(rule, *hits, t))
        .collect();
    crate::web::render(
        &RulesPage {
            page: ctx.page(t.get("rules.title")),
            can_edit: me.is_admin(),
            rules,
            form: RuleFormView::new("/admin/rules".into(), draft, errors, t),
            levels: levels(state, t).await?,
        },
        status,
    )
}

fn new_draft() -> RuleDraft {
    RuleDraft {
        kind: RuleKind::BannedWords.as_str().into(),
        action: RuleAction::Block.as_str().into(),
        below_trust: EVERYONE.to_string(),
        enabled: Some("1".into()),
        ..RuleDraft::default()
    }
}

/// `GET /admin/rules` (staff)
pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    list_page(
        &ctx,
        &state,
        &me,
        new_draft(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

fn form_errors(errors: &[crate::domain::FieldError], t: &Catalog) -> FormErrors {
    let mut out = FormErrors::default();
    for e in errors {
        out.add(e, t);
    }
    out
}

/// `POST /admin/rules` (admins): a new rule; an invalid one shows the form again with its text.
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<RuleDraft>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let draft = form.into_inner();
    match RuleInput::parse(&draft) {
        Ok(RuleInput(rule)) => {
            services::rules::create(&state, &me, &rule)
                .await
                .map_err(|e| refusal::error_page(e, ctx.t()))?;
            ctx.flash("rules.flash.saved");
            Ok(crate::web::see_other("/admin/rules"))
        }
        Err(errors) => {
            let errors = form_errors(&errors, ctx.t());
            list_page(
                &ctx,
                &state,
                &me,
                draft,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `GET /admin/rules/{id}` (admins): the edit form.
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    let rule = db::rules::by_id(&state.db, *path)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = ctx.t();
    crate::web::ok(&RuleEditPage {
        page: ctx.page(t.get("rules.edit")),
        form: RuleFormView::new(
            format!("/admin/rules/{}", rule.id),
            RuleDraft::from_rule(&rule),
            FormErrors::default(),
            t,
        ),
    })
}

/// `POST /admin/rules/{id}` (admins)
pub async fn update(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<RuleDraft>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let rule = db::rules::by_id(&state.db, *path)
        .await?
        .ok_or(AppError::NotFound)?;
    let draft = form.into_inner();
    match RuleInput::parse(&draft) {
        Ok(RuleInput(changed)) => {
            services::rules::update(&state, &me, rule.id, &changed)
                .await
                .map_err(|e| refusal::error_page(e, ctx.t()))?;
            ctx.flash("rules.flash.saved");
            Ok(crate::web::see_other("/admin/rules"))
        }
        Err(errors) => {
            let t = ctx.t();
            crate::web::render(
                &RuleEditPage {
                    page: ctx.page(t.get("rules.edit")),
                    form: RuleFormView::new(
                        format!("/admin/rules/{}", rule.id),
                        draft,
                        form_errors(&errors, t),
                        t,
                    ),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

/// `POST /admin/rules/{id}/{enable|disable|delete}` (admins)
pub async fn act(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let (id, action) = path.into_inner();
    let rule = db::rules::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let change = RuleChange::parse(&action).ok_or(AppError::NotFound)?;
    services::rules::change(&state, &me, rule.id, change)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("rules.flash.saved");
    Ok(crate::web::see_other("/admin/rules"))
}

/// `POST /admin/rules/trust` (admins): the thresholds, `trust.tlN.field` = a whole number; each
/// changed value is a setting change with its audit row.
pub async fn save_thresholds(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let current = db::trust::thresholds(&state.db).await?;
    let mut changes = Vec::new();
    for level in 1..=3 {
        for field in FIELDS {
            let key = Thresholds::setting_key(level, field);
            let Some((_, text)) = form.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            let value = text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=1_000_000).contains(n))
                .ok_or_else(|| AppError::Invalid(ctx.t().get("rules.error.number").into()))?;
            if current.get(level, field) != Some(value) {
                changes.push((key, value.to_string()));
            }
        }
    }
    services::rules::save_thresholds(&state, &me, &changes)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("rules.flash.saved");
    Ok(crate::web::see_other("/admin/rules"))
}

#[derive(Deserialize)]
pub struct TrustForm {
    level: String,
    #[serde(default)]
    locked: Option<String>,
    #[serde(default)]
    reason: String,
}

/// What `/admin/users/{id}` shows of a member's trust level.
pub struct TrustBox {
    pub user_id: i64,
    pub level: i64,
    pub locked: bool,
    pub levels: Vec<i64>,
}

pub async fn trust_box(state: &App, user_id: i64) -> Result<TrustBox, AppError> {
    let (level, locked) = db::trust::level(&state.db, user_id)
        .await?
        .unwrap_or((0, false));
    Ok(TrustBox {
        user_id,
        level,
        locked,
        levels: (0..=crate::moderation::trust::HIGHEST).collect(),
    })
}

/// `POST /admin/users/{id}/trust` (staff): set a level, locked (kept whatever the activity) or not;
/// audited, and the member is told.
pub async fn set_trust(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<TrustForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let t = ctx.t();
    let user = db::users::by_id(&state.db, *path)
        .await?
        .ok_or(AppError::NotFound)?;
    let level = form
        .level
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|l| (0..=crate::moderation::trust::HIGHEST).contains(l))
        .ok_or_else(|| AppError::Invalid(t.get("rules.error.level").into()))?;
    let locked = form
        .locked
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "0");
    let reason = form.reason.trim();
    let done = services::members::set_trust(&state, &me, &user, level, locked, reason)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    if done.is_err() {
        return Err(AppError::Forbidden);
    }
    ctx.flash("rules.flash.saved");
    Ok(crate::web::see_other(&format!("/admin/users/{}", user.id)))
}
