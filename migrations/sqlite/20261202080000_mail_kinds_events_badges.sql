-- Notification mail gains two kinds a member chooses for: event reminders ('events') and badges
-- ('badges'). SQLite cannot change a CHECK in place, so the table is rebuilt with its rows.
CREATE TABLE mail_preferences_new (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('replies', 'mentions', 'watched', 'events', 'badges',
                                       'moderator', 'summary')),
    delivery TEXT NOT NULL CHECK (delivery IN ('immediately', 'daily', 'weekly', 'never')),
    PRIMARY KEY (user_id, kind)
);
INSERT INTO mail_preferences_new (user_id, kind, delivery)
    SELECT user_id, kind, delivery FROM mail_preferences;
DROP TABLE mail_preferences;
ALTER TABLE mail_preferences_new RENAME TO mail_preferences;
