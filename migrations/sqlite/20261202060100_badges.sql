-- Badges awarded by the badge job. `subject` is what the badge was earned on: the tag of a tag
-- badge, the answer of a good or great answer, 0 for the once-only badges, so the unique key makes
-- every award happen once however often the job runs.
CREATE TABLE user_badges (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    badge TEXT NOT NULL,
    subject BIGINT NOT NULL DEFAULT 0,
    post_id BIGINT,
    awarded_at BIGINT NOT NULL,
    UNIQUE (user_id, badge, subject)
);
CREATE INDEX user_badges_by_badge ON user_badges (badge, id);
CREATE INDEX user_badges_by_user ON user_badges (user_id, awarded_at);

-- How far the badge job has read the forum's activity (one row).
CREATE TABLE badge_progress (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    watermark BIGINT NOT NULL
);
INSERT INTO badge_progress (id, watermark) VALUES (1, 0);

-- The badge job reads only what changed since its watermark: new reputation events (votes,
-- acceptances) and new revisions, each found by time.
CREATE INDEX reputation_events_by_time ON reputation_events (at);
CREATE INDEX post_revisions_by_time ON post_revisions (at);
