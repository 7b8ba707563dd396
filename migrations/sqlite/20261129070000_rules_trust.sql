-- Moderation rules (banned words, regular expressions, link and image limits, holding new members'
-- first posts, rate limits), the log of their hits, and the activity trust levels are computed from:
-- days visited and posts read. Rules are soft-deleted (deleted_at) so their hit history stays readable.
CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL
        CHECK (kind IN ('banned_words', 'regex', 'link_limit', 'no_images', 'hold_new', 'rate_limit')),
    description TEXT NOT NULL,
    pattern TEXT NOT NULL DEFAULT '',
    max_count BIGINT NOT NULL DEFAULT 0,
    window_secs BIGINT NOT NULL DEFAULT 0,
    below_trust BIGINT NOT NULL DEFAULT 5,
    applies_to TEXT NOT NULL DEFAULT 'post' CHECK (applies_to IN ('post', 'comment', 'vote', 'flag')),
    scope TEXT NOT NULL DEFAULT 'user' CHECK (scope IN ('user', 'ip')),
    action TEXT NOT NULL CHECK (action IN ('block', 'hold', 'flag')),
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);

CREATE TABLE rule_hits (
    id INTEGER PRIMARY KEY,
    rule_id BIGINT NOT NULL REFERENCES rules (id),
    user_id BIGINT REFERENCES users (id),
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    target_kind TEXT,
    target_id BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX rule_hits_by_rule ON rule_hits (rule_id, at);

CREATE TABLE user_visits (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);

CREATE TABLE post_reads (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    PRIMARY KEY (user_id, post_id)
);

-- The limits of new members (trust level 0), seeded switched off: an admin turns them on in
-- /admin/rules. (On by default they would hold every newcomer's first posts.)
INSERT INTO rules (kind, description, max_count, below_trust, action, enabled, created_at, updated_at)
VALUES ('link_limit', 'New members may include at most 2 links in a post.', 2, 1, 'block', 0, 0, 0);
INSERT INTO rules (kind, description, below_trust, action, enabled, created_at, updated_at)
VALUES ('no_images', 'New members may not include images.', 1, 'block', 0, 0, 0);
INSERT INTO rules (kind, description, max_count, below_trust, action, enabled, created_at, updated_at)
VALUES ('hold_new', 'The first 3 posts of new members are reviewed before they appear.', 3, 1, 'hold', 0, 0, 0);
