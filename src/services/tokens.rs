//! Personal access tokens: a member makes one (name, scope), sees it once, and revokes it. Only the
//! hash is stored; both writes are audited and a member holds at most [`MAX_LIVE_TOKENS`] at once.
use super::gate::WriteError;
use crate::app::App;
use crate::auth::tokens::{self, TokenScope};
use crate::auth::CurrentUser;
use crate::db;

/// Live tokens one member may hold.
pub const MAX_LIVE_TOKENS: i64 = 20;
/// A token's name, in characters.
pub const NAME_MAX: usize = 60;

/// Makes a token and returns it (shown once, never stored).
pub async fn create(
    app: &App,
    me: &CurrentUser,
    name: &str,
    scope: TokenScope,
) -> Result<String, WriteError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(WriteError::Length {
            field: "name",
            key: "tokens.error.name",
            min: 1,
            max: NAME_MAX,
        });
    }
    if db::api_tokens::live_count(&app.db, me.id).await? >= MAX_LIVE_TOKENS {
        return Err(WriteError::Invalid {
            field: "name",
            key: "tokens.error.too_many",
        });
    }
    let token = tokens::new_token();
    db::api_tokens::create(&app.db, me.id, name, scope.as_str(), &tokens::hash(&token)).await?;
    Ok(token)
}

/// Revokes one of the member's own tokens; `false` when it is not theirs or already revoked.
pub async fn revoke(app: &App, me: &CurrentUser, id: i64) -> Result<bool, WriteError> {
    Ok(db::api_tokens::revoke(&app.db, me.id, id).await?)
}
