-- Notifications about a resource (a comment on it) point at the resource.
ALTER TABLE notifications ADD COLUMN resource_id BIGINT;
