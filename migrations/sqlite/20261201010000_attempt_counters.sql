-- Attempt counters taken before the work they guard (a password hash): one row per bucket, counted up
-- by a single UPSERT that returns the new count, so parallel requests each see a distinct number and a
-- burst cannot pass the limit.
CREATE TABLE attempt_counters (
    bucket TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX attempt_counters_by_start ON attempt_counters (window_start);
