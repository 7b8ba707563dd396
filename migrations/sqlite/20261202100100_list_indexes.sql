-- /admin/users finds accounts by the start of a name or email: SQLite compares the keys bytewise,
-- so the unique indexes on username_key and email_key serve that prefix range as they are (only
-- PostgreSQL needs byte-order indexes, in its migration of the same name).
-- The moderation queue reads held resource comments and events oldest first, a page at a time.
CREATE INDEX resource_comments_pending ON resource_comments (status, created_at, id)
    WHERE status = 'pending';
CREATE INDEX events_pending ON events (status, created_at, id) WHERE status = 'pending';
-- The resource directory filtered by kind (and level) in either order.
CREATE INDEX resources_by_kind_score ON resources (status, kind, score, id);
CREATE INDEX resources_by_kind_new ON resources (status, kind, id);
