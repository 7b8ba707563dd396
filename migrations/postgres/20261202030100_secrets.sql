-- Server-side secrets every app instance shares (the key that signs visitors' CSRF cookies),
-- created once at start-up; never shown on a page or exported.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
