//! Roles, in increasing power. What each may do is decided in `crate::auth::permissions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// Reads a stored role; anything unknown is the least powerful role.
    pub fn from_stored(value: &str) -> Self {
        match value {
            "admin" => Role::Admin,
            "moderator" => Role::Moderator,
            _ => Role::Member,
        }
    }

    pub fn is_staff(self) -> bool {
        self >= Role::Moderator
    }
}
