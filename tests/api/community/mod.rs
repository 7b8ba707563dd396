//! Issue 16's community features as members use them: bookmarks, follows (watch and mute), badges,
//! the CJK weighted length of titles, comments and bios, and editable resource listings.
mod badges;
mod bookmarks;
mod follows;
mod resource_edits;
mod weighted_length;
