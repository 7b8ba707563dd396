//! Types that are valid by construction: user input becomes one of these at the edge, and code past the
//! edge never re-checks it.
mod badge;
mod bot;
mod brand;
mod comment;
mod email;
mod event;
mod flag;
mod identifier;
pub mod notification_mail;
mod password;
pub mod paths;
mod post;
mod resource;
mod role;
pub mod rules;
mod script;
mod site;
mod tags;
pub mod text;
pub mod trust;
mod upload;
mod username;

pub use badge::{Badge, BadgeThresholds, Rank};
pub use bot::AskStatus;
pub use brand::{backgrounds, Brand, RawBrand, Rgb, MIN_CONTRAST};
pub use comment::{BodyProblem, CommentBody, CommentStatus, COMMENT_MAX_CHARS, COMMENT_MIN_CHARS};
pub use email::Email;
pub use event::{
    local_input_value, parse_zone, time_in_zone, EventInput, RawEvent, RsvpAnswer, CAPACITY_MAX,
};
pub use flag::{
    parse_post_reference, CloseReason, FlagInput, FlagReason, FlagTarget, FLAG_NOTE_MAX,
};
pub use identifier::Identifier;
pub use password::{NewPassword, PasswordProblem};
pub use post::{post_slug, Markdown, PostKind, PostStatus, Title, TopicInput};
pub use resource::{
    normalise_url, Level, RawResource, ResourceInput, ResourceKind, ResourceStatus, ResourceUrl,
};
pub use role::Role;
pub use script::is_cjk;
pub use site::Registration;
pub use tags::{Tag, TagList};
pub use upload::{ImageKind, UploadName, UploadPurpose};
pub use username::{username_key, Username};

/// Why a piece of input was refused; `field` is the form field to show the message next to, and
/// `message` a catalog key (see `crate::i18n`) with an optional detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
    pub detail: Option<String>,
}

impl FieldError {
    pub fn new(field: &'static str, key: &'static str) -> Self {
        Self {
            field,
            key,
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}
