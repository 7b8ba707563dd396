-- The dashboard's per-day series (sign-ups, posts written) and the outbox totals, kept by triggers
-- as rows are written instead of counted per visit: a busy month costs the dashboard 60 small rows,
-- not a read of every post written in it.
CREATE TABLE daily_counts (
    day BIGINT NOT NULL,
    name TEXT NOT NULL,
    value BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, name)
);

INSERT INTO daily_counts (day, name, value)
    SELECT created_at / 86400, 'posts', COUNT(*) FROM posts GROUP BY created_at / 86400;
INSERT INTO daily_counts (day, name, value)
    SELECT created_at / 86400, 'signups', COUNT(*) FROM users WHERE is_bot = 0
    GROUP BY created_at / 86400;

CREATE TRIGGER posts_daily_insert AFTER INSERT ON posts BEGIN
    INSERT INTO daily_counts (day, name, value) VALUES (NEW.created_at / 86400, 'posts', 1)
    ON CONFLICT (day, name) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER posts_daily_delete AFTER DELETE ON posts BEGIN
    UPDATE daily_counts SET value = value - 1 WHERE day = OLD.created_at / 86400 AND name = 'posts';
END;
CREATE TRIGGER users_daily_insert AFTER INSERT ON users WHEN NEW.is_bot = 0 BEGIN
    INSERT INTO daily_counts (day, name, value) VALUES (NEW.created_at / 86400, 'signups', 1)
    ON CONFLICT (day, name) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER users_daily_delete AFTER DELETE ON users WHEN OLD.is_bot = 0 BEGIN
    UPDATE daily_counts SET value = value - 1
    WHERE day = OLD.created_at / 86400 AND name = 'signups';
END;
CREATE TRIGGER users_daily_bot AFTER UPDATE OF is_bot ON users WHEN OLD.is_bot <> NEW.is_bot BEGIN
    INSERT INTO daily_counts (day, name, value)
    VALUES (NEW.created_at / 86400, 'signups', CASE WHEN NEW.is_bot = 0 THEN 1 ELSE -1 END)
    ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value;
END;

INSERT INTO row_counts (name, value) VALUES
    ('outbox:queued', (SELECT COUNT(*) FROM outbox WHERE status = 'queued')),
    ('outbox:sent', (SELECT COUNT(*) FROM outbox WHERE status = 'sent')),
    ('outbox:dead', (SELECT COUNT(*) FROM outbox WHERE status = 'dead'));

CREATE TRIGGER outbox_counted_insert AFTER INSERT ON outbox BEGIN
    UPDATE row_counts SET value = value + 1 WHERE name = 'outbox:' || NEW.status;
END;
CREATE TRIGGER outbox_counted_update AFTER UPDATE OF status ON outbox
WHEN OLD.status <> NEW.status BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'outbox:' || OLD.status;
    UPDATE row_counts SET value = value + 1 WHERE name = 'outbox:' || NEW.status;
END;
CREATE TRIGGER outbox_counted_delete AFTER DELETE ON outbox BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'outbox:' || OLD.status;
END;
