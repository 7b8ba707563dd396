-- Background work (summaries, bot answers, link checks, re-indexing): a queue in the database so every
-- app instance can take jobs, a restart loses none, and failures are retried and finally kept as dead.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    dedupe_key TEXT,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 5,
    run_after BIGINT NOT NULL,
    locked_until BIGINT,
    locked_by TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_ready ON jobs (status, run_after, id);
CREATE INDEX jobs_by_kind ON jobs (kind, status);
-- At most one unfinished job per dedupe key (e.g. "summary:42").
CREATE UNIQUE INDEX jobs_pending_dedupe ON jobs (dedupe_key) WHERE status IN ('queued', 'running');
