//! The service layer: one module per feature, each owning its write paths end to end —
//! gate (silence, then rules) -> render -> store -> after-write -> reindex -> queue jobs.
//! Handlers parse and authorise, call one function here, and render what it returns. Services take
//! the [`App`](crate::app::App) and never import `web`.
pub mod account_settings;
pub mod accounts;
pub mod badges;
pub mod bookmarks;
pub mod bot;
pub mod brand;
pub mod comments;
pub mod decisions;
pub mod email_verification;
pub mod events;
pub mod follows;
pub mod gate;
pub mod index;
pub mod invites;
pub mod jobs;
pub mod link_check;
pub mod mail;
pub mod member_messages;
pub mod members;
pub mod moderation;
pub mod notification_mail;
pub mod notifications;
pub mod password_reset;
pub mod personal_data;
pub mod posts;
pub mod profiles;
pub mod render;
pub mod reports;
pub mod resources;
pub mod rules;
pub mod settings;
pub mod summaries;
pub mod tokens;
pub mod two_factor;
pub mod uploads;
pub mod votes;
pub mod webhooks;
pub mod write_error;

pub use gate::Writer;
pub use write_error::WriteError;
