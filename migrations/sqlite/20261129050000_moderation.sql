-- Moderation: member flags on posts, comments and users; moderation state on posts (comments locked,
-- pinned, closed with a reason or as a duplicate); and the record of a "delete as spammer" sweep, so
-- restoring that user brings back exactly what the sweep hid.
CREATE TABLE flags (
    id INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('post', 'comment', 'user')),
    target_id BIGINT NOT NULL,
    reporter_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL
        CHECK (reason IN ('spam', 'rude', 'off_topic', 'duplicate', 'needs_attention')),
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at BIGINT NOT NULL,
    resolved_by BIGINT REFERENCES users (id),
    resolution TEXT,
    resolved_at BIGINT,
    UNIQUE (reporter_id, target_kind, target_id)
);
CREATE INDEX flags_by_target ON flags (target_kind, target_id, status);
CREATE INDEX flags_open_by_time ON flags (status, created_at);

ALTER TABLE posts ADD COLUMN comments_locked BIGINT NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN pinned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN closed_reason TEXT;
ALTER TABLE posts ADD COLUMN duplicate_of BIGINT REFERENCES posts (id);
ALTER TABLE posts ADD COLUMN closed_at BIGINT;

CREATE TABLE spam_sweeps (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    actor_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    restored_at BIGINT
);
CREATE INDEX spam_sweeps_by_user ON spam_sweeps (user_id, restored_at);

CREATE TABLE spam_sweep_items (
    sweep_id BIGINT NOT NULL REFERENCES spam_sweeps (id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('post', 'comment')),
    target_id BIGINT NOT NULL,
    previous_status TEXT NOT NULL,
    PRIMARY KEY (sweep_id, target_kind, target_id)
);
