//! Every kind of letter the forum sends, each from its catalog messages in the recipient's language.
use super::LetterParts;
use crate::i18n::Lang;

/// Who a letter is for and the frame every letter shares.
#[derive(Debug, Clone)]
pub struct Frame {
    pub lang: Lang,
    pub username: String,
    pub site: String,
    /// The forum's address (`AGORA_PUBLIC_URL`, or the origin of the request that queued it).
    pub site_url: String,
    /// The one-click unsubscribe link, when the letter carries one.
    pub unsubscribe_url: Option<String>,
}

fn letter(frame: &Frame, subject: String) -> LetterParts {
    let t = frame.lang.catalog();
    LetterParts {
        lang: frame.lang.code(),
        subject,
        greeting: t.fill("mail.greeting", &[("name", &frame.username)]),
        paragraphs: Vec::new(),
        items: Vec::new(),
        action: None,
        note: String::new(),
        site: frame.site.clone(),
        site_url: frame.site_url.clone(),
        unsubscribe: frame
            .unsubscribe_url
            .clone()
            .map(|url| (t.get("mail.unsubscribe").to_string(), url)),
    }
}

/// The link to choose a new password (`/password-reset/{token}`), valid for an hour.
pub fn password_reset(frame: &Frame, url: &str) -> LetterParts {
    let t = frame.lang.catalog();
    let mut l = letter(
        frame,
        t.fill("mail.reset.subject", &[("site", &frame.site)]),
    );
    l.paragraphs
        .push(t.fill("mail.reset.body", &[("site", &frame.site)]));
    l.action = Some((t.get("mail.reset.action").to_string(), url.to_string()));
    l.note = t.get("mail.reset.note").to_string();
    l
}

/// A notice that the password was changed through a reset link.
pub fn password_changed(frame: &Frame) -> LetterParts {
    let t = frame.lang.catalog();
    let mut l = letter(
        frame,
        t.fill("mail.changed.subject", &[("site", &frame.site)]),
    );
    l.paragraphs.push(t.get("mail.changed.body").to_string());
    l.note = t.get("mail.changed.note").to_string();
    l
}

/// New notifications of one kind (one mail, or a daily or weekly digest): each line links to what
/// it is about; the action opens the notifications page.
pub fn notifications(
    frame: &Frame,
    kind: &str,
    items: Vec<(String, String)>,
    notifications_url: &str,
) -> LetterParts {
    let t = frame.lang.catalog();
    let count = items.len().to_string();
    let subject_key = match kind {
        "mentions" => "mail.notify.subject_mentions",
        "watched" => "mail.notify.subject_watched",
        "events" => "mail.notify.subject_events",
        "badges" => "mail.notify.subject_badges",
        "moderator" => "mail.notify.subject_moderator",
        _ => "mail.notify.subject_replies",
    };
    let mut l = letter(
        frame,
        t.fill(subject_key, &[("site", &frame.site), ("count", &count)]),
    );
    l.paragraphs
        .push(t.fill("mail.notify.body", &[("count", &count)]));
    l.items = items;
    l.action = Some((
        t.get("mail.notify.action").to_string(),
        notifications_url.to_string(),
    ));
    l.note = t.get("mail.notify.note").to_string();
    l
}

/// The summary digest for a member who has been away: the site's best new posts.
pub fn summary(frame: &Frame, days: i64, items: Vec<(String, String)>) -> LetterParts {
    let t = frame.lang.catalog();
    let mut l = letter(
        frame,
        t.fill("mail.summary.subject", &[("site", &frame.site)]),
    );
    l.paragraphs.push(t.fill(
        "mail.summary.body",
        &[("site", &frame.site), ("days", &days.to_string())],
    ));
    l.items = items;
    l.action = Some((
        t.get("mail.summary.action").to_string(),
        frame.site_url.clone(),
    ));
    l
}

/// The link that confirms `address` for the account.
pub fn verify_email(frame: &Frame, address: &str, url: &str) -> LetterParts {
    let t = frame.lang.catalog();
    let mut l = letter(
        frame,
        t.fill("mail.verify.subject", &[("site", &frame.site)]),
    );
    l.paragraphs.push(t.fill(
        "mail.verify.body",
        &[("site", &frame.site), ("address", address)],
    ));
    l.action = Some((t.get("mail.verify.action").to_string(), url.to_string()));
    l.note = t.get("mail.verify.note").to_string();
    l
}

/// To the old address: a change to `new_address` was asked for.
pub fn email_change_notice(frame: &Frame, new_address: &str) -> LetterParts {
    let t = frame.lang.catalog();
    let mut l = letter(
        frame,
        t.fill("mail.email_change.subject", &[("site", &frame.site)]),
    );
    l.paragraphs
        .push(t.fill("mail.email_change.body", &[("address", new_address)]));
    l.note = t.get("mail.email_change.note").to_string();
    l
}
