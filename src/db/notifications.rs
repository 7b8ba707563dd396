//! Queries over notifications.
