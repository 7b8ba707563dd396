-- A member's comments: the trust recount's flags count, a moderator's purge or hide of a member's
-- comments and the personal-data export read them by author, which scanned every comment.
CREATE INDEX comments_by_author ON comments (author_id);
