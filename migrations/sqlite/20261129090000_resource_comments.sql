-- Comments on listed resources, kept apart from post comments (which count on and notify about
-- posts). Held comments wait as `pending`; deletion is soft so moderation history stays readable.
CREATE TABLE resource_comments (
    id INTEGER PRIMARY KEY,
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    renderer_version BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'published'
        CHECK (status IN ('published', 'pending', 'hidden', 'deleted')),
    created_at BIGINT NOT NULL,
    edited_at BIGINT
);
CREATE INDEX resource_comments_by_resource ON resource_comments (resource_id, created_at);
