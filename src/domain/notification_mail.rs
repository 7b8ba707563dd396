//! Notification mail as a member chooses it: the kinds of mail (replies and answers, mentions,
//! watched topics and tags, event reminders, badges, moderator messages, and the summary digest
//! for members who are away)
//! and how each is delivered (immediately, in a daily or weekly digest, or never).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Replies,
    Mentions,
    Watched,
    Events,
    Badges,
    Moderator,
    Summary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Immediately,
    Daily,
    Weekly,
    Never,
}

impl MailKind {
    pub const ALL: [MailKind; 7] = [
        MailKind::Replies,
        MailKind::Mentions,
        MailKind::Watched,
        MailKind::Events,
        MailKind::Badges,
        MailKind::Moderator,
        MailKind::Summary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Replies => "replies",
            MailKind::Mentions => "mentions",
            MailKind::Watched => "watched",
            MailKind::Events => "events",
            MailKind::Badges => "badges",
            MailKind::Moderator => "moderator",
            MailKind::Summary => "summary",
        }
    }

    pub fn parse(text: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The notification kinds (`notifications.kind`, see `db::notifications::Kind`) mailed under
    /// this choice; every stored kind belongs to exactly one.
    pub fn notification_kinds(self) -> &'static [&'static str] {
        match self {
            MailKind::Replies => &["answer", "comment", "accepted", "resource_comment"],
            MailKind::Mentions => &["mention"],
            MailKind::Watched => &["watched_answer", "watched_comment", "watched_tag"],
            MailKind::Events => &["event_reminder"],
            MailKind::Badges => &["badge"],
            MailKind::Moderator => &["moderation"],
            MailKind::Summary => &[],
        }
    }

    pub fn default_delivery(self) -> Delivery {
        match self {
            MailKind::Summary | MailKind::Watched | MailKind::Badges => Delivery::Weekly,
            _ => Delivery::Immediately,
        }
    }

    /// What a member may choose for this kind (the summary is a digest by nature).
    pub fn choices(self) -> &'static [Delivery] {
        match self {
            MailKind::Summary => &[Delivery::Weekly, Delivery::Never],
            _ => &Delivery::ALL,
        }
    }
}

impl Delivery {
    pub const ALL: [Delivery; 4] = [
        Delivery::Immediately,
        Delivery::Daily,
        Delivery::Weekly,
        Delivery::Never,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediately => "immediately",
            Delivery::Daily => "daily",
            Delivery::Weekly => "weekly",
            Delivery::Never => "never",
        }
    }

    pub fn parse(text: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// The least time between two mails of this kind; `None` for never.
    pub fn interval_secs(self) -> Option<i64> {
        match self {
            Delivery::Immediately => Some(0),
            Delivery::Daily => Some(86_400),
            Delivery::Weekly => Some(7 * 86_400),
            Delivery::Never => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_deliveries_round_trip() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
            assert!(kind.choices().contains(&kind.default_delivery()));
        }
        for d in Delivery::ALL {
            assert_eq!(Delivery::parse(d.as_str()), Some(d));
        }
        assert_eq!(Delivery::parse("hourly"), None);
    }

    #[test]
    fn event_reminders_are_mailed_at_once_by_default() {
        assert_eq!(MailKind::Events.default_delivery(), Delivery::Immediately);
    }
}
