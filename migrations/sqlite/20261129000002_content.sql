-- Posts (articles, questions, answers, bot answers), revisions, tags, comments, votes, reputation events
-- and notifications. Rendered HTML is stored at write time together with the renderer version.
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('article', 'question', 'answer', 'bot_answer')),
    parent_id BIGINT REFERENCES posts (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL DEFAULT '',
    slug TEXT NOT NULL DEFAULT '',
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    body_text TEXT NOT NULL DEFAULT '',
    excerpt TEXT NOT NULL DEFAULT '',
    renderer_version BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'published'
        CHECK (status IN ('published', 'draft', 'pending', 'hidden', 'deleted')),
    score BIGINT NOT NULL DEFAULT 0,
    answer_count BIGINT NOT NULL DEFAULT 0,
    comment_count BIGINT NOT NULL DEFAULT 0,
    accepted_answer_id BIGINT,
    view_count BIGINT NOT NULL DEFAULT 0,
    revision_count BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    last_activity_at BIGINT NOT NULL
);
CREATE INDEX posts_by_kind_new ON posts (kind, status, created_at, id);
CREATE INDEX posts_by_kind_active ON posts (kind, status, last_activity_at, id);
CREATE INDEX posts_by_kind_score ON posts (kind, status, score, id);
CREATE INDEX posts_by_parent ON posts (parent_id, status);
CREATE INDEX posts_by_author ON posts (author_id, kind, created_at);

CREATE TABLE post_revisions (
    id INTEGER PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id),
    n BIGINT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    body_md TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '',
    editor_id BIGINT NOT NULL REFERENCES users (id),
    at BIGINT NOT NULL,
    UNIQUE (post_id, n)
);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    post_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE post_tags (
    post_id BIGINT NOT NULL REFERENCES posts (id),
    tag_id BIGINT NOT NULL REFERENCES tags (id),
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_by_tag ON post_tags (tag_id, post_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    renderer_version BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'pending', 'hidden', 'deleted')),
    created_at BIGINT NOT NULL,
    edited_at BIGINT
);
CREATE INDEX comments_by_post ON comments (post_id, created_at);

CREATE TABLE votes (
    user_id BIGINT NOT NULL REFERENCES users (id),
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    value BIGINT NOT NULL CHECK (value IN (-1, 1)),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, target_kind, target_id)
);
CREATE INDEX votes_by_target ON votes (target_kind, target_id);

-- Every reputation change with its cause, so a user's reputation can be explained and recomputed.
CREATE TABLE reputation_events (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    post_id BIGINT,
    actor_id BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX reputation_events_by_user ON reputation_events (user_id, at);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    actor_id BIGINT,
    post_id BIGINT,
    comment_id BIGINT,
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_by_user ON notifications (user_id, read_at, created_at);
