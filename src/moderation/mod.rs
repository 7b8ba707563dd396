//! Automatic moderation: the rules engine applied to every write ([`check`] before, [`after_write`]
//! after) and trust levels 0–4 computed from activity. Pure logic lives in [`rules`] and [`trust`];
//! [`engine`] and [`promotion`] add the database.
pub mod engine;
pub mod promotion;

pub use engine::{after_write, check, Content, Refusal, Target, Verdict};
pub use rules::Action;

pub use crate::domain::{rules, trust};
