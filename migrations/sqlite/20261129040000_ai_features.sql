-- AI features: summary drafts per post, questions asked of the answer bot, and what a bot answer
-- needs on the post itself (the model that wrote it, the human who verified it).

-- One summary per post: the extractive core (JSON list of {"text", "at"}: sentences with their byte
-- offset in the post's plain text), the generated TL;DR draft that passed the quality gate (or why it
-- was rejected), the hash of the source it came from and the model id. Readers see only accepted_md.
CREATE TABLE ai_summaries (
    post_id BIGINT PRIMARY KEY REFERENCES posts (id),
    source_hash TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    extractive TEXT NOT NULL DEFAULT '[]',
    generated TEXT NOT NULL DEFAULT '',
    rejected_reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'draft', 'accepted', 'dismissed')),
    stale BIGINT NOT NULL DEFAULT 0,
    accepted_md TEXT NOT NULL DEFAULT '',
    accepted_html TEXT NOT NULL DEFAULT '',
    accepted_by BIGINT REFERENCES users (id),
    tokens BIGINT NOT NULL DEFAULT 0,
    elapsed_ms BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ai_summaries_recent ON ai_summaries (updated_at);

-- Questions put to the bot on /bot, with the answer (or abstention), the sources it used and figures.
CREATE TABLE bot_asks (
    id INTEGER PRIMARY KEY,
    asker_id BIGINT NOT NULL REFERENCES users (id),
    question TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'answered', 'abstained', 'failed', 'cancelled')),
    answer_md TEXT NOT NULL DEFAULT '',
    answer_html TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '[]',
    removed_citations BIGINT NOT NULL DEFAULT 0,
    model TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    tokens BIGINT NOT NULL DEFAULT 0,
    elapsed_ms BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX bot_asks_by_asker ON bot_asks (asker_id, created_at);
CREATE INDEX bot_asks_recent ON bot_asks (created_at);

ALTER TABLE posts ADD COLUMN ai_model TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN verified_by BIGINT REFERENCES users (id);
ALTER TABLE posts ADD COLUMN verified_at BIGINT;
