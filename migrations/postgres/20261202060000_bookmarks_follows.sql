-- Bookmarks (a member's saved posts, answers and resources) and follows (watching a tag or a topic,
-- muting a tag). A bookmark or follow row exists only while it is on; "normal" deletes the row.
CREATE TABLE bookmarks (
    user_id BIGINT NOT NULL REFERENCES users (id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('post', 'resource')),
    target_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, target_kind, target_id)
);
-- /bookmarks, newest first, a page at a time.
CREATE INDEX bookmarks_by_user_new ON bookmarks (user_id, created_at, target_kind, target_id);

CREATE TABLE follows (
    user_id BIGINT NOT NULL REFERENCES users (id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('tag', 'post')),
    target_id BIGINT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('watch', 'mute')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, target_kind, target_id)
);
-- Who watches a topic or tag (the notification fan-out); the primary key answers "did this member
-- mute this tag" for the lists' NOT EXISTS.
CREATE INDEX follows_by_target ON follows (target_kind, target_id, level, user_id);
