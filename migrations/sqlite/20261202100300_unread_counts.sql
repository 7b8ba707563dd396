-- Each member's unread notifications, kept by triggers as notifications are written and read, so
-- the badge every page of a signed-in member shows is one primary-key read however long their
-- history (a member with 200,000 notifications included).
CREATE TABLE unread_counts (
    user_id BIGINT PRIMARY KEY,
    value BIGINT NOT NULL DEFAULT 0
);

INSERT INTO unread_counts (user_id, value)
    SELECT user_id, COUNT(*) FROM notifications WHERE read_at IS NULL GROUP BY user_id;

CREATE TRIGGER notifications_unread_insert AFTER INSERT ON notifications
WHEN NEW.read_at IS NULL BEGIN
    INSERT INTO unread_counts (user_id, value) VALUES (NEW.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER notifications_unread_read AFTER UPDATE OF read_at ON notifications
WHEN (OLD.read_at IS NULL) <> (NEW.read_at IS NULL) BEGIN
    UPDATE unread_counts SET value = value + CASE WHEN NEW.read_at IS NULL THEN 1 ELSE -1 END
    WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER notifications_unread_delete AFTER DELETE ON notifications
WHEN OLD.read_at IS NULL BEGIN
    UPDATE unread_counts SET value = value - 1 WHERE user_id = OLD.user_id;
END;
