//! The whole route table, feature by feature, top to bottom. Every POST passes the CSRF middleware;
//! everything under `/admin` sits in one scope behind one staff guard (moderators and admins), and
//! the admin-only pages inside it check the admin role in their handlers as well.
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpMessage, ResponseError};

use super::{
    accounts, admin, api, bot, events, health, home, metrics, moderation, posts, resources, search,
    social, uploads,
};
use crate::auth::permissions;
use crate::web::context::RequestContext;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Home, operations.
    cfg.route("/", web::get().to(home::show))
        .route("/healthz", web::get().to(health::check))
        .route("/metrics", web::get().to(metrics::show))
        .route("/guidelines", web::get().to(admin::guidelines::show))
        .route("/brand.css", web::get().to(admin::brand::stylesheet));

    // Accounts.
    cfg.route("/register", web::get().to(accounts::register::form))
        .route("/register", web::post().to(accounts::register::submit))
        .route("/login", web::get().to(accounts::login::form))
        .route("/login", web::post().to(accounts::login::submit))
        .route("/logout", web::post().to(accounts::login::logout))
        .route("/settings", web::get().to(accounts::settings::show))
        .route(
            "/settings/password",
            web::post().to(accounts::settings::change_password),
        )
        .route(
            "/settings/language",
            web::post().to(accounts::settings::change_language),
        )
        .route("/settings/tokens", web::get().to(accounts::tokens::show))
        .route("/settings/tokens", web::post().to(accounts::tokens::create))
        .route(
            "/settings/tokens/{id}/revoke",
            web::post().to(accounts::tokens::revoke),
        );

    // Password reset by mail and the second factor.
    cfg.route("/password-reset", web::get().to(accounts::reset::form))
        .route("/password-reset", web::post().to(accounts::reset::submit))
        .route(
            "/password-reset/{token}",
            web::get().to(accounts::reset::token_form),
        )
        .route(
            "/password-reset/{token}",
            web::post().to(accounts::reset::token_submit),
        )
        .route("/settings/2fa", web::get().to(accounts::two_factor::show))
        .route(
            "/settings/2fa/enable",
            web::post().to(accounts::two_factor::enable),
        )
        .route(
            "/settings/2fa/disable",
            web::post().to(accounts::two_factor::disable),
        )
        .route(
            "/settings/notifications",
            web::get().to(accounts::notification_settings::show),
        )
        .route(
            "/settings/notifications",
            web::post().to(accounts::notification_settings::save),
        )
        .route(
            "/unsubscribe/{token}",
            web::get().to(accounts::unsubscribe::confirm),
        )
        .route(
            "/unsubscribe/{token}",
            web::post().to(accounts::unsubscribe::one_click),
        )
        .route("/settings/email", web::get().to(accounts::verify::show))
        .route("/settings/email", web::post().to(accounts::verify::change))
        .route(
            "/settings/email/confirm",
            web::post().to(accounts::verify::resend),
        )
        .route(
            "/verify-email/{token}",
            web::get().to(accounts::verify::confirm),
        )
        .route("/login/2fa", web::get().to(accounts::two_factor::code_form))
        .route(
            "/login/2fa",
            web::post().to(accounts::two_factor::code_submit),
        );

    // Articles.
    cfg.route("/articles", web::get().to(posts::articles::list))
        .route("/articles", web::post().to(posts::articles::create))
        .route("/articles/new", web::get().to(posts::articles::new_form))
        .route(
            "/articles/{id}",
            web::get().to(posts::articles::show_without_slug),
        )
        .route(
            "/articles/{id}/edit",
            web::get().to(posts::articles::edit_form),
        )
        .route(
            "/articles/{id}/edit",
            web::post().to(posts::articles::update),
        )
        .route(
            "/articles/{id}/delete",
            web::post().to(posts::articles::delete),
        )
        .route(
            "/articles/{id}/revisions",
            web::get().to(posts::revisions::show),
        )
        .route(
            "/articles/{id}/{slug}",
            web::get().to(posts::articles::show),
        );

    // Questions and answers.
    cfg.route("/questions", web::get().to(posts::questions::list))
        .route("/questions", web::post().to(posts::questions::create))
        .route("/questions/ask", web::get().to(posts::questions::ask_form))
        .route("/questions/similar", web::get().to(posts::similar::show))
        .route(
            "/questions/{id}",
            web::get().to(posts::questions::show_without_slug),
        )
        .route(
            "/questions/{id}/edit",
            web::get().to(posts::questions::edit_form),
        )
        .route(
            "/questions/{id}/edit",
            web::post().to(posts::questions::update),
        )
        .route(
            "/questions/{id}/delete",
            web::post().to(posts::questions::delete),
        )
        .route(
            "/questions/{id}/revisions",
            web::get().to(posts::revisions::show),
        )
        .route(
            "/questions/{id}/answers",
            web::post().to(posts::answers::create),
        )
        .route(
            "/questions/{id}/bot-answer",
            web::post().to(posts::ai::request_bot_answer),
        )
        .route(
            "/questions/{id}/{slug}",
            web::get().to(posts::questions::show),
        )
        .route("/answers/{id}", web::get().to(posts::answers::show))
        .route(
            "/answers/{id}/edit",
            web::get().to(posts::answers::edit_form),
        )
        .route("/answers/{id}/edit", web::post().to(posts::answers::update))
        .route(
            "/answers/{id}/delete",
            web::post().to(posts::answers::delete),
        )
        .route(
            "/answers/{id}/accept",
            web::post().to(posts::answers::accept),
        )
        .route("/answers/{id}/verify", web::post().to(posts::ai::verify))
        .route(
            "/answers/{id}/revisions",
            web::get().to(posts::revisions::show),
        );

    // Summaries, tags, previews, feeds.
    cfg.route("/posts/{id}/summary", web::get().to(posts::ai::show))
        .route("/posts/{id}/summary", web::post().to(posts::ai::request))
        .route(
            "/posts/{id}/summary/accept",
            web::post().to(posts::ai::accept),
        )
        .route(
            "/posts/{id}/summary/dismiss",
            web::post().to(posts::ai::dismiss),
        )
        .route("/tags", web::get().to(posts::tags::list))
        .route("/tags/{name}", web::get().to(posts::tags::show))
        .route(
            "/tags/{name}/feed.atom",
            web::get().to(posts::feeds::tag_feed),
        )
        .route("/preview", web::post().to(posts::preview::render))
        .route("/feed.atom", web::get().to(posts::feeds::site_feed))
        .route("/sitemap.xml", web::get().to(posts::feeds::sitemap))
        .route(
            "/sitemap-posts-{part}.xml",
            web::get().to(posts::feeds::sitemap_part),
        );

    // Votes, comments, notifications, profiles.
    cfg.route("/votes", web::post().to(social::votes::cast))
        .route("/comments", web::post().to(social::comments::create))
        .route(
            "/comments/{id}/edit",
            web::get().to(social::comments::edit_form),
        )
        .route(
            "/comments/{id}/edit",
            web::post().to(social::comments::edit),
        )
        .route(
            "/comments/{id}/delete",
            web::post().to(social::comments::delete),
        )
        .route("/notifications", web::get().to(social::notifications::list))
        .route(
            "/notifications/read",
            web::post().to(social::notifications::mark_read),
        )
        .route("/u/{username}", web::get().to(social::profiles::show))
        .route(
            "/u/{username}/bio",
            web::post().to(social::profiles::update_bio),
        );

    // Bookmarks, follows (watch / mute), badges.
    cfg.route("/bookmarks", web::get().to(social::bookmarks::list))
        .route("/bookmarks", web::post().to(social::bookmarks::toggle))
        .route("/follows", web::post().to(social::follows::set))
        .route("/badges", web::get().to(social::badges::list))
        .route("/badges/{badge}", web::get().to(social::badges::show));

    // Flags (any member).
    cfg.route("/flags", web::post().to(moderation::flags::create));

    // Search and the answer bot.
    cfg.route("/search", web::get().to(search::show))
        .route("/bot", web::get().to(bot::ask_page))
        .route("/bot/ask", web::post().to(bot::ask))
        .route("/bot/answers/{id}", web::get().to(bot::answer_page))
        .route("/bot/answers/{id}/stream", web::get().to(bot::stream));

    // Resources.
    cfg.route("/resources", web::get().to(resources::browse::list))
        .route("/resources", web::post().to(resources::submit::create))
        .route("/resources/new", web::get().to(resources::submit::new_form))
        .route("/resources/{id}", web::get().to(resources::browse::show))
        .route("/resources/{id}/edit", web::get().to(resources::edit::form))
        .route(
            "/resources/{id}/edit",
            web::post().to(resources::edit::save),
        )
        .route(
            "/resources/{id}/{slug}",
            web::get().to(resources::browse::show_with_slug),
        )
        .route(
            "/resources/{id}/comments",
            web::post().to(resources::comments::create),
        )
        .route(
            "/resource-comments/{id}/delete",
            web::post().to(resources::comments::delete),
        );

    // The JSON API: its own scope, documented from the same handlers (`/api/v1/openapi.json`).
    cfg.service(api::scope());

    // Image uploads and avatars.
    cfg.route("/uploads", web::post().to(uploads::create))
        .route("/uploads/{name}", web::get().to(uploads::show))
        .route("/settings/avatar", web::post().to(uploads::set_avatar));

    // Personal data: exports and account deletion.
    cfg.route("/settings/data", web::get().to(accounts::data::show))
        .route(
            "/settings/export",
            web::post().to(accounts::data::request_export),
        )
        .route(
            "/settings/export/{id}",
            web::get().to(accounts::data::download),
        )
        .route(
            "/settings/delete-account",
            web::post().to(accounts::data::delete_account),
        );

    // Events (the `.ics` routes before the page: `{id}` takes digits only).
    cfg.route("/events", web::get().to(events::list::list))
        .route("/events", web::post().to(events::form::create))
        .route("/events.ics", web::get().to(events::calendar::feed))
        .route("/events/new", web::get().to(events::form::new_form))
        .route(
            "/events/{id:\\d+}.ics",
            web::get().to(events::calendar::one),
        )
        .route("/events/{id:\\d+}", web::get().to(events::show::show))
        .route("/events/{id:\\d+}/rsvp", web::post().to(events::show::rsvp))
        .route(
            "/events/{id:\\d+}/edit",
            web::get().to(events::form::edit_form),
        )
        .route(
            "/events/{id:\\d+}/edit",
            web::post().to(events::form::update),
        )
        .route(
            "/settings/time-zone",
            web::post().to(events::list::set_zone),
        );

    cfg.service(
        web::scope("/admin")
            .wrap(from_fn(staff_only))
            .configure(admin_routes),
    );
}

/// `/admin/...`: staff only (the scope's guard); admin-only pages check the role again.
fn admin_routes(cfg: &mut web::ServiceConfig) {
    // Dashboard, members, audit log, invites, settings, guidelines.
    cfg.route("", web::get().to(admin::dashboard))
        .route("/users", web::get().to(admin::users::list))
        .route("/users/{id}", web::get().to(admin::users::show))
        .route(
            "/users/{id}/role",
            web::post().to(admin::users::change_role),
        )
        .route(
            "/users/{id}/message",
            web::get().to(admin::mail::message_form),
        )
        .route(
            "/users/{id}/message",
            web::post().to(admin::mail::send_message),
        )
        .route("/users/{id}/suspend", web::post().to(admin::users::suspend))
        .route(
            "/users/{id}/unsuspend",
            web::post().to(admin::users::unsuspend),
        )
        .route(
            "/users/{id}/export",
            web::post().to(admin::personal_data::export),
        )
        .route(
            "/users/{id}/delete-account",
            web::post().to(admin::personal_data::delete_account),
        )
        .route("/log", web::get().to(admin::log::show))
        .route("/reports", web::get().to(admin::reports::show))
        .route("/reports.csv", web::get().to(admin::reports::csv::download))
        .route("/invites", web::get().to(admin::invites::show))
        .route("/invites", web::post().to(admin::invites::create))
        .route(
            "/invites/{id}/revoke",
            web::post().to(admin::invites::revoke),
        )
        .route(
            "/settings/accounts",
            web::get().to(admin::account_settings::show),
        )
        .route(
            "/settings/accounts",
            web::post().to(admin::account_settings::save),
        )
        .route("/settings", web::get().to(admin::settings::show))
        .route("/settings", web::post().to(admin::settings::save))
        .route("/settings/brand", web::post().to(admin::brand::save))
        .route("/guidelines", web::get().to(admin::guidelines::edit))
        .route("/guidelines", web::post().to(admin::guidelines::save))
        .route("/webhooks", web::get().to(admin::webhooks::show))
        .route("/webhooks", web::post().to(admin::webhooks::create))
        .route(
            "/webhooks/{id}/delete",
            web::post().to(admin::webhooks::delete),
        );

    // The AI module.
    cfg.route("/ai", web::get().to(admin::ai::show))
        .route("/ai/settings", web::post().to(admin::ai::save))
        .route("/ai/regenerate", web::post().to(admin::ai::regenerate));

    // Moderation: the queue, posts and comments, members, rules.
    cfg.route("/queue", web::get().to(moderation::queue::show_queue))
        .route("/flags", web::get().to(moderation::queue::show_flags))
        .route("/posts/{id}", web::get().to(moderation::queue::show_post))
        .route(
            "/posts/{id}/revisions/{n}/redact",
            web::post().to(moderation::revisions::redact),
        )
        .route(
            "/posts/{id}/{action}",
            web::post().to(moderation::queue::act_on_post),
        )
        .route(
            "/comments/{id}/{action}",
            web::post().to(moderation::queue::act_on_comment),
        )
        .route(
            "/users/{id}/spammer",
            web::post().to(moderation::accounts::delete_spammer),
        )
        .route(
            "/users/{id}/restore_content",
            web::post().to(moderation::accounts::restore_spammer),
        )
        .route(
            "/users/{id}/silence",
            web::post().to(moderation::accounts::silence),
        )
        .route(
            "/users/{id}/unsilence",
            web::post().to(moderation::accounts::unsilence),
        )
        .route(
            "/users/{id}/dismiss_flags",
            web::post().to(moderation::accounts::dismiss_flags),
        )
        .route(
            "/users/{id}/trust",
            web::post().to(moderation::rules::set_trust),
        )
        .route("/rules", web::get().to(moderation::rules::show))
        .route("/rules", web::post().to(moderation::rules::create))
        .route(
            "/rules/trust",
            web::post().to(moderation::rules::save_thresholds),
        )
        .route("/rules/{id}", web::get().to(moderation::rules::edit_form))
        .route("/rules/{id}", web::post().to(moderation::rules::update))
        .route(
            "/rules/{id}/{action}",
            web::post().to(moderation::rules::act),
        );

    // Resource review.
    cfg.route("/resources", web::get().to(resources::review::show))
        .route(
            "/resources/check-links",
            web::post().to(resources::review::check_all_links),
        )
        .route(
            "/resources/{id}/{action}",
            web::post().to(resources::review::act),
        )
        .route(
            "/resource-comments/{id}/approve",
            web::post().to(resources::comments::approve),
        );

    // Event moderation.
    cfg.route(
        "/events/{id}/{action}",
        web::post().to(events::moderate::act),
    );
}

/// The one staff guard: visitors are sent to log in, members get 403, before any handler runs.
async fn staff_only(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let user = req
        .extensions()
        .get::<std::rc::Rc<std::cell::RefCell<RequestContext>>>()
        .and_then(|c| c.borrow().session.as_ref().and_then(|s| s.user.clone()));
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.path().to_string());
    // Answered here as a response (not an `Err`), so the error-page middleware renders it like any
    // other refusal.
    if let Err(refused) = permissions::require_staff(user.as_ref(), &here) {
        return Ok(req.into_response(refused.error_response()));
    }
    // Where the admins require it, staff without a second factor are sent to turn it on first.
    let app = req.app_data::<web::Data<crate::app::App>>().cloned();
    if let (Some(user), Some(app)) = (&user, app) {
        let needs = crate::services::account_settings::needs_two_factor(&app.db, user)
            .await
            .map_err(crate::error::AppError::from)?;
        if needs {
            let to = crate::domain::paths::TWO_FACTOR_SETTINGS;
            return Ok(req.into_response(crate::web::see_other(to)));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
