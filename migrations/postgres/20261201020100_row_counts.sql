-- Counts the admin dashboard shows, kept as rows are written instead of counted per request: one
-- row per (table, kind/status), changed by triggers in the same transaction as the write, so a
-- million posts cost the dashboard one small read. Every key the CHECK constraints allow exists.
CREATE TABLE row_counts (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL DEFAULT 0
);

INSERT INTO row_counts (name, value) VALUES
    ('posts:article:published', 0),
    ('posts:article:draft', 0),
    ('posts:article:pending', 0),
    ('posts:article:hidden', 0),
    ('posts:article:deleted', 0),
    ('posts:question:published', 0),
    ('posts:question:draft', 0),
    ('posts:question:pending', 0),
    ('posts:question:hidden', 0),
    ('posts:question:deleted', 0),
    ('posts:answer:published', 0),
    ('posts:answer:draft', 0),
    ('posts:answer:pending', 0),
    ('posts:answer:hidden', 0),
    ('posts:answer:deleted', 0),
    ('posts:bot_answer:published', 0),
    ('posts:bot_answer:draft', 0),
    ('posts:bot_answer:pending', 0),
    ('posts:bot_answer:hidden', 0),
    ('posts:bot_answer:deleted', 0),
    ('comments:published', 0),
    ('comments:pending', 0),
    ('comments:hidden', 0),
    ('comments:deleted', 0),
    ('users:member', 0),
    ('users:bot', 0),
    ('flags:open', 0),
    ('flags:resolved', 0),
    ('jobs:queued', 0),
    ('jobs:running', 0),
    ('jobs:done', 0),
    ('jobs:dead', 0);

UPDATE row_counts SET value = (SELECT COUNT(*) FROM posts p
    WHERE 'posts:' || p.kind || ':' || p.status = row_counts.name) WHERE name LIKE 'posts:%';
UPDATE row_counts SET value = (SELECT COUNT(*) FROM comments c
    WHERE 'comments:' || c.status = row_counts.name) WHERE name LIKE 'comments:%';
UPDATE row_counts SET value = (SELECT COUNT(*) FROM users u
    WHERE 'users:' || CASE WHEN u.is_bot = 1 THEN 'bot' ELSE 'member' END = row_counts.name)
    WHERE name LIKE 'users:%';
UPDATE row_counts SET value = (SELECT COUNT(*) FROM flags f
    WHERE 'flags:' || f.status = row_counts.name) WHERE name LIKE 'flags:%';
UPDATE row_counts SET value = (SELECT COUNT(*) FROM jobs j
    WHERE 'jobs:' || j.status = row_counts.name) WHERE name LIKE 'jobs:%';

CREATE FUNCTION posts_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET value = value + 1 WHERE name = 'posts:' || NEW.kind || ':' || NEW.status;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'posts:' || OLD.kind || ':' || OLD.status;
    ELSIF OLD.kind <> NEW.kind OR OLD.status <> NEW.status THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'posts:' || OLD.kind || ':' || OLD.status;
        UPDATE row_counts SET value = value + 1 WHERE name = 'posts:' || NEW.kind || ':' || NEW.status;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER posts_counted AFTER INSERT OR DELETE OR UPDATE OF kind, status ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_counted();

CREATE FUNCTION comments_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET value = value + 1 WHERE name = 'comments:' || NEW.status;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'comments:' || OLD.status;
    ELSIF OLD.status <> NEW.status THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'comments:' || OLD.status;
        UPDATE row_counts SET value = value + 1 WHERE name = 'comments:' || NEW.status;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER comments_counted AFTER INSERT OR DELETE OR UPDATE OF status ON comments
    FOR EACH ROW EXECUTE FUNCTION comments_counted();

CREATE FUNCTION users_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET value = value + 1 WHERE name = 'users:' || CASE WHEN NEW.is_bot = 1 THEN 'bot' ELSE 'member' END;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'users:' || CASE WHEN OLD.is_bot = 1 THEN 'bot' ELSE 'member' END;
    ELSIF OLD.is_bot <> NEW.is_bot THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'users:' || CASE WHEN OLD.is_bot = 1 THEN 'bot' ELSE 'member' END;
        UPDATE row_counts SET value = value + 1 WHERE name = 'users:' || CASE WHEN NEW.is_bot = 1 THEN 'bot' ELSE 'member' END;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_counted AFTER INSERT OR DELETE OR UPDATE OF is_bot ON users
    FOR EACH ROW EXECUTE FUNCTION users_counted();

CREATE FUNCTION flags_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET value = value + 1 WHERE name = 'flags:' || NEW.status;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'flags:' || OLD.status;
    ELSIF OLD.status <> NEW.status THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'flags:' || OLD.status;
        UPDATE row_counts SET value = value + 1 WHERE name = 'flags:' || NEW.status;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER flags_counted AFTER INSERT OR DELETE OR UPDATE OF status ON flags
    FOR EACH ROW EXECUTE FUNCTION flags_counted();

CREATE FUNCTION jobs_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET value = value + 1 WHERE name = 'jobs:' || NEW.status;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'jobs:' || OLD.status;
    ELSIF OLD.status <> NEW.status THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'jobs:' || OLD.status;
        UPDATE row_counts SET value = value + 1 WHERE name = 'jobs:' || NEW.status;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER jobs_counted AFTER INSERT OR DELETE OR UPDATE OF status ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_counted();

-- The dashboard's per-day series read recent rows by time, and the review queue reads what waits,
-- oldest first: both from an index instead of every row.
CREATE INDEX posts_by_time ON posts (created_at);
CREATE INDEX users_by_time ON users (created_at);
CREATE INDEX posts_pending ON posts (status, created_at, id) WHERE status = 'pending';
CREATE INDEX comments_pending ON comments (status, created_at, id) WHERE status = 'pending';
