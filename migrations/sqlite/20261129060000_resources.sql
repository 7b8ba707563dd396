-- Resource listings: curated, typed entries (books, courses, papers, tools, models, datasets) that
-- members submit and staff approve. `url_key` and `identifier_key` are the normalised forms that
-- duplicates are found by; the link checker records `link_status` without hiding anything.
CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('book', 'course', 'paper', 'tool', 'model', 'dataset')),
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    url_key TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '',
    year BIGINT,
    identifier TEXT,
    identifier_key TEXT,
    level TEXT CHECK (level IS NULL OR level IN ('beginner', 'intermediate', 'advanced')),
    language TEXT NOT NULL DEFAULT '',
    licence TEXT NOT NULL DEFAULT '',
    description_md TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    description_text TEXT NOT NULL DEFAULT '',
    renderer_version BIGINT NOT NULL DEFAULT 1,
    submitted_by BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    score BIGINT NOT NULL DEFAULT 0,
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at BIGINT,
    review_reason TEXT NOT NULL DEFAULT '',
    link_status TEXT NOT NULL DEFAULT 'unchecked' CHECK (link_status IN ('unchecked', 'ok', 'dead')),
    link_detail TEXT NOT NULL DEFAULT '',
    link_checked_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX resources_by_url_key ON resources (url_key);
CREATE UNIQUE INDEX resources_by_identifier_key ON resources (identifier_key);
CREATE INDEX resources_by_status ON resources (status, created_at);
CREATE INDEX resources_by_score ON resources (status, score, id);

CREATE TABLE resource_tags (
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (resource_id, tag)
);
CREATE INDEX resource_tags_by_tag ON resource_tags (tag, resource_id);

-- Flags may point at resources too. SQLite cannot alter a CHECK, so the table is rebuilt.
CREATE TABLE flags_new (
    id INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('post', 'comment', 'user', 'resource')),
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
INSERT INTO flags_new (id, target_kind, target_id, reporter_id, reason, note, status, created_at,
                       resolved_by, resolution, resolved_at)
    SELECT id, target_kind, target_id, reporter_id, reason, note, status, created_at,
           resolved_by, resolution, resolved_at
    FROM flags;
DROP TABLE flags;
ALTER TABLE flags_new RENAME TO flags;
CREATE INDEX flags_by_target ON flags (target_kind, target_id, status);
CREATE INDEX flags_open_by_time ON flags (status, created_at);
