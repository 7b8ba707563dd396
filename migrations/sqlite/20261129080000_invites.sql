-- Invite links for invite-only sign-up. Only the SHA-256 of the code is stored: the link is shown
-- once, to the admin who made it. An invite allows max_uses sign-ups until expires_at.
CREATE TABLE invites (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    note TEXT NOT NULL DEFAULT '',
    max_uses BIGINT NOT NULL DEFAULT 1,
    uses BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX invites_recent ON invites (created_at);
