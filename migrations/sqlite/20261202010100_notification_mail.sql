-- Notification mail: how each member wants each kind mailed (a missing row is the default), and
-- per member and kind the last notification already considered for mail and when mail last went.
CREATE TABLE mail_preferences (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('replies', 'mentions', 'watched', 'moderator', 'summary')),
    delivery TEXT NOT NULL CHECK (delivery IN ('immediately', 'daily', 'weekly', 'never')),
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE mail_cursors (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    mailed_through BIGINT NOT NULL DEFAULT 0,
    last_sent_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, kind)
);
