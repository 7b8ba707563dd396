//! The service layer: one module per feature, each owning its write paths end to end —
//! gate (silence, then rules) -> render -> store -> after-write -> reindex -> queue jobs.
//! Handlers parse and authorise, call one function here, and render what it returns. Services take
//! the [`App`](crate::app::App) and never import `web`.
pub mod accounts;
pub mod bot;
pub mod brand;
pub mod comments;
pub mod events;
pub mod gate;
pub mod index;
pub mod invites;
pub mod jobs;
pub mod link_check;
pub mod members;
pub mod moderation;
pub mod notifications;
pub mod posts;
pub mod profiles;
pub mod render;
pub mod reports;
pub mod resources;
pub mod rules;
pub mod settings;
pub mod summaries;
pub mod votes;

pub use gate::{WriteError, Writer};
