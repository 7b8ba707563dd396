//! Moderation: members flag posts, comments and users (`POST /flags`); staff work through the queue
//! (`/admin/queue`, `/admin/flags`), act on posts and comments, silence members and delete spammers.
//! The writes go through `services::moderation`; this module holds the pages and their routes.
pub mod accounts;
pub mod flags;
pub mod queue;
pub mod revisions;
pub mod rules;
