-- Staff may redact a revision's text (doxxing, a leaked key): the text is removed, who and when
-- are kept, and the audit log says why.
ALTER TABLE post_revisions ADD COLUMN redacted_by BIGINT REFERENCES users (id);
ALTER TABLE post_revisions ADD COLUMN redacted_at BIGINT;
