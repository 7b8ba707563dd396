-- Outgoing mail and the second factor. Every message is rendered into the outbox when it is queued
-- and sent only by a job ("mail"), so a mail server that is down delays mail, never a page; a message
-- that used all its attempts stays here as dead with the error for the admin page.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    recipient_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    unsubscribe_url TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'dead')),
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_by_status ON outbox (status, id);

-- Mailed tokens (password reset, address verification, unsubscribe): only the SHA-256 of the random
-- 32 bytes is stored; a token is used once (used_at) and expires.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'verify_email', 'unsubscribe')),
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);

-- TOTP (RFC 6238): the shared secret (base32), when it was enabled (NULL while being set up), and the
-- last time step a code was accepted for, so a code cannot be replayed.
CREATE TABLE two_factor (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes, SHA-256 at rest.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);

-- The half-logged-in state between the password and the second factor: keyed by the (anonymous)
-- session it belongs to, it expires after five minutes.
CREATE TABLE pending_logins (
    session_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    next_path TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL
);
