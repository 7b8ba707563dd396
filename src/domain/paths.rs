//! Every address the forum links to, in one place: pages, feeds, search hits, bot citations and mail
//! all build their URLs here, so a route changes in one file. It sits in `domain` (not `web`) because
//! search and the AI link to posts too, and they stand below the web layer.
use super::PostKind;

/// A path segment safe in any URL and header (a Chinese slug becomes percent-encoded UTF-8).
pub fn encode_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The canonical address of a post's page (answers live on their question's page).
/// A post without a slug gets its short address, which redirects to the canonical one.
pub fn post_url(kind: PostKind, id: i64, slug: &str, parent_id: Option<i64>) -> String {
    match kind {
        PostKind::Article | PostKind::Question if slug.is_empty() => {
            format!("/{}/{id}", kind_segment(kind))
        }
        PostKind::Article => format!("/articles/{id}/{}", encode_segment(slug)),
        PostKind::Question => format!("/questions/{id}/{}", encode_segment(slug)),
        PostKind::Answer | PostKind::BotAnswer => match parent_id {
            Some(parent) => format!("/questions/{parent}#answer-{id}"),
            None => format!("/answers/{id}"),
        },
    }
}

/// An answer's place on its question's canonical page.
pub fn answer_url(question_id: i64, question_slug: &str, answer_id: i64) -> String {
    format!(
        "{}#answer-{answer_id}",
        post_url(PostKind::Question, question_id, question_slug, None)
    )
}

/// Where a post or resource lives when only its stored kind is known (notifications, flags, the
/// audit log): a short address that redirects to the canonical one.
pub fn target_path(kind: &str, id: i64, parent_id: Option<i64>) -> String {
    match (kind, parent_id) {
        ("article", _) => format!("/articles/{id}"),
        ("resource", _) => resource_url(id),
        ("answer" | "bot_answer", Some(parent)) => format!("/questions/{parent}#answer-{id}"),
        _ => format!("/questions/{id}"),
    }
}

/// The post's address with a comment's anchor (replacing an answer's anchor).
pub fn comment_url(post_path: &str, comment_id: i64) -> String {
    let base = post_path.split('#').next().unwrap_or(post_path);
    format!("{base}#comment-{comment_id}")
}

/// A badge's page with its holders.
pub fn badge_url(badge: super::Badge) -> String {
    format!("/badges/{}", badge.as_str())
}

/// A resource's edit form.
pub fn resource_edit_url(id: i64) -> String {
    format!("/resources/{id}/edit")
}

pub fn resource_url(id: i64) -> String {
    format!("/resources/{id}")
}

/// A comment on a resource: `/resources/{id}#resource-comment-{comment}`.
pub fn resource_comment_url(resource_id: i64, comment_id: i64) -> String {
    format!(
        "{}#resource-comment-{comment_id}",
        resource_url(resource_id)
    )
}

pub fn tag_url(name: &str) -> String {
    format!("/tags/{}", encode_segment(name))
}

/// The profile address of `username`, percent-encoded (names may be Chinese).
pub fn profile_url(username: &str) -> String {
    format!("/u/{}", encode_segment(username))
}

/// The ask page with its title filled in (the bot's abstention links here).
pub fn ask_url(title: &str) -> String {
    format!("/questions/ask?title={}", encode_segment(title))
}

/// A post's edit page.
pub fn edit_url(kind: PostKind, id: i64) -> String {
    format!("/{}/{id}/edit", kind_segment(kind))
}

/// A post's revision history.
pub fn revisions_url(kind: PostKind, id: i64) -> String {
    format!("/{}/{id}/revisions", kind_segment(kind))
}

/// The staff page of one post.
pub fn admin_post_url(id: i64) -> String {
    format!("/admin/posts/{id}")
}

/// The staff page of one member.
pub fn admin_user_url(id: i64) -> String {
    format!("/admin/users/{id}")
}

/// Where an uploaded image is served: `/uploads/{sha256}.{ext}`.
pub fn upload_url(name: &super::UploadName) -> String {
    format!("/uploads/{}", name.file_name())
}

/// The personal-data page of the signed-in member (exports, account deletion).
pub const SETTINGS_DATA: &str = "/settings/data";

/// One built personal-data export, downloadable by whoever asked for it.
pub fn export_download_url(id: i64) -> String {
    format!("/settings/export/{id}")
}

fn kind_segment(kind: PostKind) -> &'static str {
    match kind {
        PostKind::Article => "articles",
        PostKind::Question => "questions",
        PostKind::Answer | PostKind::BotAnswer => "answers",
    }
}

/// The page a mailed password-reset token opens.
pub fn password_reset_url(token: &str) -> String {
    format!("/password-reset/{token}")
}

/// The one-click unsubscribe address a mail carries (`List-Unsubscribe`).
pub fn unsubscribe_url(token: &str) -> String {
    format!("/unsubscribe/{token}")
}

/// The settings page of the second factor.
pub const TWO_FACTOR_SETTINGS: &str = "/settings/2fa";

/// The code step of a log-in.
pub const LOGIN_CODE: &str = "/login/2fa";
/// Every upcoming and past event.
pub const EVENTS: &str = "/events";
/// The calendar feed of every published event.
pub const EVENTS_FEED: &str = "/events.ics";

/// An event's page: `/events/{id}`.
pub fn event_url(id: i64) -> String {
    format!("/events/{id}")
}

/// An event's iCalendar file: `/events/{id}.ics`.
pub fn event_ics_url(id: i64) -> String {
    format!("/events/{id}.ics")
}

/// Where a reader answers an event: `/events/{id}/rsvp`.
pub fn event_rsvp_url(id: i64) -> String {
    format!("/events/{id}/rsvp")
}

/// An event's edit form: `/events/{id}/edit`.
pub fn event_edit_url(id: i64) -> String {
    format!("/events/{id}/edit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_slugs_are_percent_encoded() {
        assert_eq!(
            post_url(PostKind::Article, 3, "部署", None),
            "/articles/3/%E9%83%A8%E7%BD%B2"
        );
    }

    #[test]
    fn answers_live_on_their_question_page() {
        assert_eq!(
            post_url(PostKind::Answer, 9, "", Some(4)),
            "/questions/4#answer-9"
        );
        assert_eq!(answer_url(4, "kv", 9), "/questions/4/kv#answer-9");
    }

    #[test]
    fn a_comment_anchor_replaces_an_answer_anchor() {
        assert_eq!(
            comment_url("/questions/4#answer-9", 12),
            "/questions/4#comment-12"
        );
    }

    #[test]
    fn short_addresses_by_stored_kind() {
        assert_eq!(target_path("answer", 5, Some(2)), "/questions/2#answer-5");
        assert_eq!(target_path("article", 3, None), "/articles/3");
        assert_eq!(target_path("question", 2, None), "/questions/2");
        assert_eq!(target_path("resource", 8, None), "/resources/8");
    }

    #[test]
    fn chinese_usernames_are_percent_encoded() {
        assert_eq!(profile_url("李雷"), "/u/%E6%9D%8E%E9%9B%B7");
        assert_eq!(profile_url("a.b-c_d"), "/u/a.b-c_d");
    }

    #[test]
    fn resource_comment_links_point_at_the_comment_on_the_resource_page() {
        assert_eq!(
            resource_comment_url(3, 7),
            "/resources/3#resource-comment-7"
        );
    }

    #[test]
    fn the_ask_link_carries_the_title() {
        assert_eq!(
            ask_url("What is RLHF?"),
            "/questions/ask?title=What+is+RLHF%3F"
        );
    }
}
