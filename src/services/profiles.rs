//! A member's profile text (bio): the gate, rendered like a comment, stored. A bio cannot wait for
//! review, so a hold rule flags it instead (`moderation::after_write`).
use super::gate::{after_write, gate, WriteError, Writer};
use super::render;
use crate::app::App;
use crate::db;
use crate::moderation::{Action, Content, Target};

/// Longest bio, in characters.
pub const BIO_MAX_CHARS: usize = 2000;

/// Replaces the writer's own bio (already trimmed and within [`BIO_MAX_CHARS`]).
pub async fn set_bio(app: &App, writer: Writer<'_>, bio: &str) -> Result<(), WriteError> {
    let verdict = gate(app, writer, Action::EditProfile, Content::body(bio)).await?;
    let rendered = render::comment(app, bio).await?;
    db::profiles::set_bio(&app.db, writer.user.id, bio, &rendered.html).await?;
    after_write(app, writer, &verdict, Target::User(writer.user.id)).await?;
    Ok(())
}
