-- Uploaded images: one file per SHA-256 of its re-encoded bytes (stored once however many members
-- upload it), one row per member who uploaded it (their quota counts its bytes). Avatars name an
-- upload; personal-data exports keep the zip archive a job built for a member.
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    sha256 TEXT NOT NULL,
    ext TEXT NOT NULL CHECK (ext IN ('png', 'jpg', 'webp', 'gif')),
    bytes BIGINT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'content' CHECK (purpose IN ('content', 'avatar')),
    created_at BIGINT NOT NULL,
    UNIQUE (owner_id, sha256)
);
CREATE INDEX uploads_by_hash ON uploads (sha256);
CREATE INDEX uploads_by_time ON uploads (created_at);

ALTER TABLE users ADD COLUMN avatar TEXT;

CREATE TABLE data_exports (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    requested_by BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed')),
    archive BLOB,
    bytes BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    ready_at BIGINT
);
CREATE INDEX data_exports_by_user ON data_exports (user_id, id);
