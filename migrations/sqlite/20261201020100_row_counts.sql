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

CREATE TRIGGER posts_counted_insert AFTER INSERT ON posts BEGIN
    UPDATE row_counts SET value = value + 1 WHERE name = 'posts:' || NEW.kind || ':' || NEW.status;
END;
CREATE TRIGGER posts_counted_update AFTER UPDATE OF kind, status ON posts WHEN OLD.kind <> NEW.kind OR OLD.status <> NEW.status BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'posts:' || OLD.kind || ':' || OLD.status;
    UPDATE row_counts SET value = value + 1 WHERE name = 'posts:' || NEW.kind || ':' || NEW.status;
END;
CREATE TRIGGER posts_counted_delete AFTER DELETE ON posts BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'posts:' || OLD.kind || ':' || OLD.status;
END;

CREATE TRIGGER comments_counted_insert AFTER INSERT ON comments BEGIN
    UPDATE row_counts SET value = value + 1 WHERE name = 'comments:' || NEW.status;
END;
CREATE TRIGGER comments_counted_update AFTER UPDATE OF status ON comments WHEN OLD.status <> NEW.status BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'comments:' || OLD.status;
    UPDATE row_counts SET value = value + 1 WHERE name = 'comments:' || NEW.status;
END;
CREATE TRIGGER comments_counted_delete AFTER DELETE ON comments BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'comments:' || OLD.status;
END;

CREATE TRIGGER users_counted_insert AFTER INSERT ON users BEGIN
    UPDATE row_counts SET value = value + 1 WHERE name = 'users:' || CASE WHEN NEW.is_bot = 1 THEN 'bot' ELSE 'member' END;
END;
CREATE TRIGGER users_counted_update AFTER UPDATE OF is_bot ON users WHEN OLD.is_bot <> NEW.is_bot BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'users:' || CASE WHEN OLD.is_bot = 1 THEN 'bot' ELSE 'member' END;
    UPDATE row_counts SET value = value + 1 WHERE name = 'users:' || CASE WHEN NEW.is_bot = 1 THEN 'bot' ELSE 'member' END;
END;
CREATE TRIGGER users_counted_delete AFTER DELETE ON users BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'users:' || CASE WHEN OLD.is_bot = 1 THEN 'bot' ELSE 'member' END;
END;

CREATE TRIGGER flags_counted_insert AFTER INSERT ON flags BEGIN
    UPDATE row_counts SET value = value + 1 WHERE name = 'flags:' || NEW.status;
END;
CREATE TRIGGER flags_counted_update AFTER UPDATE OF status ON flags WHEN OLD.status <> NEW.status BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'flags:' || OLD.status;
    UPDATE row_counts SET value = value + 1 WHERE name = 'flags:' || NEW.status;
END;
CREATE TRIGGER flags_counted_delete AFTER DELETE ON flags BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'flags:' || OLD.status;
END;

CREATE TRIGGER jobs_counted_insert AFTER INSERT ON jobs BEGIN
    UPDATE row_counts SET value = value + 1 WHERE name = 'jobs:' || NEW.status;
END;
CREATE TRIGGER jobs_counted_update AFTER UPDATE OF status ON jobs WHEN OLD.status <> NEW.status BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'jobs:' || OLD.status;
    UPDATE row_counts SET value = value + 1 WHERE name = 'jobs:' || NEW.status;
END;
CREATE TRIGGER jobs_counted_delete AFTER DELETE ON jobs BEGIN
    UPDATE row_counts SET value = value - 1 WHERE name = 'jobs:' || OLD.status;
END;

-- The dashboard's per-day series read recent rows by time, and the review queue reads what waits,
-- oldest first: both from an index instead of every row.
CREATE INDEX posts_by_time ON posts (created_at);
CREATE INDEX users_by_time ON users (created_at);
CREATE INDEX posts_pending ON posts (status, created_at, id) WHERE status = 'pending';
CREATE INDEX comments_pending ON comments (status, created_at, id) WHERE status = 'pending';
