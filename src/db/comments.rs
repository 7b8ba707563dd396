//! Queries over comments.
