-- /admin/users finds accounts by the start of a name or email, in byte order (a range on the key
-- that holds whatever the database's collation), read along these indexes a page at a time.
CREATE INDEX users_by_name_bytes ON users (username_key COLLATE "C");
CREATE INDEX users_by_email_bytes ON users (email_key COLLATE "C");
-- The moderation queue reads held resource comments and events oldest first, a page at a time.
CREATE INDEX resource_comments_pending ON resource_comments (status, created_at, id)
    WHERE status = 'pending';
CREATE INDEX events_pending ON events (status, created_at, id) WHERE status = 'pending';
-- The resource directory filtered by kind (and level) in either order.
CREATE INDEX resources_by_kind_score ON resources (status, kind, score, id);
CREATE INDEX resources_by_kind_new ON resources (status, kind, id);
