//! `GET /u/{username}`: a member's public page (joined date, reputation, bio, their posts), and
//! `POST /u/{username}/bio` for the owner to change the bio.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::profiles::{self, AuthoredPost};
use crate::db::reputation::{self, Event};
use crate::db::users::{self, UserRecord};
use crate::error::AppError;
use crate::services::{self, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal::Refused;

/// A bio is a few lines about yourself.
pub use crate::services::profiles::BIO_MAX_CHARS;
/// How many posts the profile lists.
const POSTS_SHOWN: i64 = 200;
/// How many reputation changes the profile explains.
const EVENTS_SHOWN: i64 = 30;

/// One line of the reputation history.
pub struct ReputationLine {
    /// `+10`, `-2`, `0`.
    pub delta: String,
    pub reason: String,
    pub title: String,
    pub path: Option<String>,
    pub when: String,
}

fn reputation_line(event: &Event, t: &crate::i18n::Catalog) -> ReputationLine {
    let (base, reversed) = match event.reason.strip_suffix("_reversed") {
        Some(base) => (base, true),
        None => (event.reason.as_str(), false),
    };
    let cause = match base {
        "upvote_received" => t.get("reputation.upvote_received"),
        "downvote_received" => t.get("reputation.downvote_received"),
        "downvote_cast" => t.get("reputation.downvote_cast"),
        "answer_accepted" => t.get("reputation.answer_accepted"),
        "accepted_an_answer" => t.get("reputation.accepted_an_answer"),
        other => other,
    };
    let reason = if reversed {
        t.fill("reputation.reversed", &[("cause", cause)])
    } else {
        cause.to_string()
    };
    ReputationLine {
        delta: if event.delta > 0 {
            format!("+{}", event.delta)
        } else {
            event.delta.to_string()
        },
        reason,
        title: event.title.clone(),
        path: match (event.post_id, event.post_kind.as_deref()) {
            (Some(id), Some(kind)) => {
                Some(crate::domain::paths::target_path(kind, id, event.parent_id))
            }
            _ => None,
        },
        when: crate::web::format::time(event.at),
    }
}

/// One post in a profile list.
pub struct PostLink {
    pub title: String,
    pub path: String,
    pub score: i64,
    pub created: String,
    /// Empty when published; otherwise the status, shown to the owner.
    pub status: String,
}

#[derive(Template)]
#[template(path = "social/profile.html")]
struct ProfilePage {
    page: Page,
    username: String,
    bio_action: String,
    joined: String,
    reputation: i64,
    is_owner: bool,
    /// Signed in and not the owner: may flag the account.
    can_flag: bool,
    user_id: i64,
    bio_html: String,
    bio_md: String,
    /// The avatar's address, if the member set one.
    avatar: Option<String>,
    questions: Vec<PostLink>,
    answers: Vec<PostLink>,
    articles: Vec<PostLink>,
    history: Vec<ReputationLine>,
    badges: Vec<(super::badges::BadgeView, super::badges::HolderView)>,
    errors: FormErrors,
}

fn link(post: &AuthoredPost) -> PostLink {
    PostLink {
        title: post.title.clone(),
        path: crate::domain::paths::target_path(&post.kind, post.id, post.parent_id),
        score: post.score,
        created: crate::web::format::time(post.created_at),
        status: if post.status == "published" {
            String::new()
        } else {
            post.status.clone()
        },
    }
}

async fn member(state: &App, username: &str) -> Result<UserRecord, AppError> {
    users::by_username(&state.db, username)
        .await?
        .filter(|u| !u.deleted)
        .ok_or(AppError::NotFound)
}

async fn profile_page(
    ctx: &Ctx,
    state: &App,
    user: UserRecord,
    me: Option<CurrentUser>,
    draft_bio: Option<String>,
    errors: FormErrors,
) -> Result<ProfilePage, AppError> {
    let is_owner = me.as_ref().is_some_and(|m| m.id == user.id);
    let bio = profiles::bio(&state.db, user.id).await?;
    let avatar = crate::db::uploads::avatar(&state.db, user.id)
        .await?
        .and_then(|name| crate::domain::UploadName::parse(&name))
        .map(|name| crate::domain::paths::upload_url(&name));
    let posts = profiles::posts_by(&state.db, user.id, is_owner, POSTS_SHOWN).await?;
    let events = reputation::recent_events(&state.db, user.id, EVENTS_SHOWN).await?;
    let badges = super::badges::of_member(state, user.id, ctx.t()).await?;
    let of_kind = |kinds: &[&str]| -> Vec<PostLink> {
        posts
            .iter()
            .filter(|p| kinds.contains(&p.kind.as_str()))
            .map(link)
            .collect()
    };
    Ok(ProfilePage {
        page: ctx.page(user.username.clone()),
        bio_action: format!("{}/bio", crate::domain::paths::profile_url(&user.username)),
        username: user.username,
        joined: crate::web::format::time(user.created_at),
        reputation: user.reputation,
        is_owner,
        can_flag: me.is_some() && !is_owner,
        user_id: user.id,
        bio_html: bio.html,
        bio_md: draft_bio.unwrap_or(bio.markdown),
        avatar,
        questions: of_kind(&["question"]),
        answers: of_kind(&["answer", "bot_answer"]),
        articles: of_kind(&["article"]),
        history: events.iter().map(|e| reputation_line(e, ctx.t())).collect(),
        badges,
        errors,
    })
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user = member(&state, &path.into_inner()).await?;
    let page = profile_page(&ctx, &state, user, ctx.user(), None, FormErrors::default()).await?;
    crate::web::ok(&page)
}

#[derive(Deserialize)]
pub struct BioForm {
    bio: String,
}

pub async fn update_bio(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<String>,
    form: web::Form<BioForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let user = member(&state, &path.into_inner()).await?;
    if user.id != me.id {
        return Err(AppError::Forbidden);
    }
    let form = form.into_inner();
    let bio = form.bio.trim();
    let chars = crate::domain::text::weighted_len(bio);
    if chars > BIO_MAX_CHARS {
        let mut errors = FormErrors::default();
        let message = ctx.t().fill(
            "profile.error_bio_long",
            &[
                ("max", &BIO_MAX_CHARS.to_string()),
                ("chars", &chars.to_string()),
            ],
        );
        errors.add_text("bio", message);
        let page =
            profile_page(&ctx, &state, user, Some(me), Some(form.bio.clone()), errors).await?;
        return crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let ip = ctx.client_ip();
    if let Err(e) = services::profiles::set_bio(&state, Writer::new(&me, &ip), bio).await {
        let mut refused = Refused::explain(e, ctx.t())?;
        refused.field = "bio";
        let page = profile_page(
            &ctx,
            &state,
            user,
            Some(me),
            Some(form.bio.clone()),
            refused.errors(),
        )
        .await?;
        return refused.respond(crate::web::ok(&page));
    }
    ctx.flash("flash.bio_saved");
    Ok(crate::web::see_other(&crate::domain::paths::profile_url(
        &user.username,
    )))
}
