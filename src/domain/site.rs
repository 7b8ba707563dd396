//! Site-wide choices the admins make on `/admin/settings`.

/// Who may sign up (admins can always create accounts with `agora admin create`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    Open,
    Closed,
    /// Only with an invite link from `/admin/invites`.
    Invite,
}

impl Registration {
    pub fn parse(text: &str) -> Option<Registration> {
        match text {
            "open" => Some(Registration::Open),
            "closed" => Some(Registration::Closed),
            "invite" => Some(Registration::Invite),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Open => "open",
            Registration::Closed => "closed",
            Registration::Invite => "invite",
        }
    }
}
