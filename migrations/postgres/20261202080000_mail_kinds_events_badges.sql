-- Notification mail gains two kinds a member chooses for: event reminders ('events') and badges
-- ('badges').
ALTER TABLE mail_preferences DROP CONSTRAINT IF EXISTS mail_preferences_kind_check;
ALTER TABLE mail_preferences ADD CONSTRAINT mail_preferences_kind_check
    CHECK (kind IN ('replies', 'mentions', 'watched', 'events', 'badges', 'moderator', 'summary'));
