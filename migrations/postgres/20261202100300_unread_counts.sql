-- Each member's unread notifications, kept by triggers as notifications are written and read, so
-- the badge every page of a signed-in member shows is one primary-key read however long their
-- history (a member with 200,000 notifications included).
CREATE TABLE unread_counts (
    user_id BIGINT PRIMARY KEY,
    value BIGINT NOT NULL DEFAULT 0
);

INSERT INTO unread_counts (user_id, value)
    SELECT user_id, COUNT(*) FROM notifications WHERE read_at IS NULL GROUP BY user_id;

CREATE FUNCTION notifications_unread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.read_at IS NULL THEN
            INSERT INTO unread_counts (user_id, value) VALUES (NEW.user_id, 1)
            ON CONFLICT (user_id) DO UPDATE SET value = unread_counts.value + 1;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.read_at IS NULL THEN
            UPDATE unread_counts SET value = value - 1 WHERE user_id = OLD.user_id;
        END IF;
    ELSIF (OLD.read_at IS NULL) <> (NEW.read_at IS NULL) THEN
        UPDATE unread_counts SET value = value + CASE WHEN NEW.read_at IS NULL THEN 1 ELSE -1 END
        WHERE user_id = NEW.user_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER notifications_unread AFTER INSERT OR DELETE OR UPDATE OF read_at ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_unread();
