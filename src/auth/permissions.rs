//! Roles and what they allow, decided here and nowhere else (templates only hide links; the server checks).
use crate::domain::Role;

pub use crate::error::AppError;

/// The signed-in user making a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub reputation: i64,
    pub trust_level: i64,
    pub locale: Option<String>,
}

impl CurrentUser {
    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Requires a signed-in user; anonymous visitors are sent to log in and come back to `here`.
pub fn require_user<'a>(
    user: Option<&'a CurrentUser>,
    here: &str,
) -> Result<&'a CurrentUser, AppError> {
    user.ok_or_else(|| AppError::LoginRequired(here.to_string()))
}

/// Requires a moderator or an admin.
pub fn require_staff<'a>(
    user: Option<&'a CurrentUser>,
    here: &str,
) -> Result<&'a CurrentUser, AppError> {
    let user = require_user(user, here)?;
    if user.is_staff() {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Requires an admin.
pub fn require_admin<'a>(
    user: Option<&'a CurrentUser>,
    here: &str,
) -> Result<&'a CurrentUser, AppError> {
    let user = require_user(user, here)?;
    if user.is_admin() {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A member for unit tests: named `u{id}`, trust level 0.
#[cfg(test)]
pub(crate) fn test_member(id: i64, reputation: i64) -> CurrentUser {
    CurrentUser {
        id,
        username: format!("u{id}"),
        role: Role::Member,
        reputation,
        trust_level: 0,
        locale: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> CurrentUser {
        CurrentUser {
            id: 1,
            username: "u".into(),
            role,
            reputation: 1,
            trust_level: 0,
            locale: None,
        }
    }

    #[test]
    fn staff_routes_admit_moderators_and_admins_only() {
        assert!(matches!(
            require_staff(None, "/admin"),
            Err(AppError::LoginRequired(_))
        ));
        assert!(matches!(
            require_staff(Some(&user(Role::Member)), "/admin"),
            Err(AppError::Forbidden)
        ));
        assert!(require_staff(Some(&user(Role::Moderator)), "/admin").is_ok());
        assert!(require_staff(Some(&user(Role::Admin)), "/admin").is_ok());
    }

    #[test]
    fn admin_routes_refuse_moderators() {
        assert!(matches!(
            require_admin(Some(&user(Role::Moderator)), "/admin/settings"),
            Err(AppError::Forbidden)
        ));
        assert!(require_admin(Some(&user(Role::Admin)), "/admin/settings").is_ok());
    }
}
