//! Who is asking and what they may do: password hashing, server-side sessions, CSRF, roles and rate limits.
pub mod csrf;
pub mod hash_gate;
pub mod invite;
pub mod password;
pub mod permissions;
pub mod policy;
pub mod privileges;
pub mod rate_limit;
pub mod second_factor;
pub mod session;
pub mod tokens;

pub use permissions::CurrentUser;
