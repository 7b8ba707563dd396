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

CREATE FUNCTION posts_daily() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO daily_counts (day, name, value) VALUES (NEW.created_at / 86400, 'posts', 1)
        ON CONFLICT (day, name) DO UPDATE SET value = daily_counts.value + 1;
    ELSE
        UPDATE daily_counts SET value = value - 1
        WHERE day = OLD.created_at / 86400 AND name = 'posts';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER posts_daily AFTER INSERT OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_daily();

CREATE FUNCTION users_daily() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta BIGINT := 0;
    created BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.is_bot = 0 THEN delta := 1; END IF;
        created := NEW.created_at;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.is_bot = 0 THEN delta := -1; END IF;
        created := OLD.created_at;
    ELSE
        IF OLD.is_bot <> NEW.is_bot THEN
            delta := CASE WHEN NEW.is_bot = 0 THEN 1 ELSE -1 END;
        END IF;
        created := NEW.created_at;
    END IF;
    IF delta <> 0 THEN
        INSERT INTO daily_counts (day, name, value) VALUES (created / 86400, 'signups', delta)
        ON CONFLICT (day, name) DO UPDATE SET value = daily_counts.value + delta;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_daily AFTER INSERT OR DELETE OR UPDATE OF is_bot ON users
    FOR EACH ROW EXECUTE FUNCTION users_daily();

INSERT INTO row_counts (name, value) VALUES
    ('outbox:queued', (SELECT COUNT(*) FROM outbox WHERE status = 'queued')),
    ('outbox:sent', (SELECT COUNT(*) FROM outbox WHERE status = 'sent')),
    ('outbox:dead', (SELECT COUNT(*) FROM outbox WHERE status = 'dead'));

CREATE FUNCTION outbox_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET value = value + 1 WHERE name = 'outbox:' || NEW.status;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'outbox:' || OLD.status;
    ELSIF OLD.status <> NEW.status THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'outbox:' || OLD.status;
        UPDATE row_counts SET value = value + 1 WHERE name = 'outbox:' || NEW.status;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_counted AFTER INSERT OR DELETE OR UPDATE OF status ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_counted();
