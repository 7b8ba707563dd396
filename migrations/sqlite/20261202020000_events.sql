-- Events (talks, AMAs, meetups, reading groups) with RSVPs and the reminders already sent; members'
-- own time zone; notifications that point at an event; flags that point at an event.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    author_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    renderer_version BIGINT NOT NULL DEFAULT 0,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    online_url TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    capacity BIGINT,
    status TEXT NOT NULL DEFAULT 'published'
        CHECK (status IN ('published', 'pending', 'hidden', 'deleted')),
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_by_start ON events (status, starts_at, id);
CREATE INDEX events_by_author ON events (author_id, created_at);

CREATE TABLE event_rsvps (
    event_id BIGINT NOT NULL REFERENCES events (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    answer TEXT NOT NULL CHECK (answer IN ('going', 'maybe', 'not_going')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_rsvps_by_answer ON event_rsvps (event_id, answer);

-- One row per reminder sent (`lead` = 'day' or 'hour'), so a reminder is sent once.
CREATE TABLE event_reminders (
    event_id BIGINT NOT NULL REFERENCES events (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    lead TEXT NOT NULL CHECK (lead IN ('day', 'hour')),
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id, lead)
);

ALTER TABLE notifications ADD COLUMN event_id BIGINT;
-- An IANA zone name the member chose; empty = the browser's zone, then UTC.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- Flags may point at events too. SQLite cannot alter a CHECK, so the table is rebuilt (with its
-- row-count triggers).
CREATE TABLE flags_new (
    id INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL
        CHECK (target_kind IN ('post', 'comment', 'user', 'resource', 'event')),
    target_id BIGINT NOT NULL,
    reporter_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL
        CHECK (reason IN ('spam', 'rude', 'off_topic', 'duplicate', 'needs_attention')),
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at BIGINT NOT NULL,
    resolved_by BIGINT REFERENCES users (id),
    resolution TEXT,
    resolved_at BIGINT,
    UNIQUE (reporter_id, target_kind, target_id)
);
INSERT INTO flags_new (id, target_kind, target_id, reporter_id, reason, note, status, created_at,
                       resolved_by, resolution, resolved_at)
    SELECT id, target_kind, target_id, reporter_id, reason, note, status, created_at,
           resolved_by, resolution, resolved_at
    FROM flags;
DROP TABLE flags;
ALTER TABLE flags_new RENAME TO flags;
CREATE INDEX flags_by_target ON flags (target_kind, target_id, status);
CREATE INDEX flags_open_by_time ON flags (status, created_at);
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
