-- Comments take upvotes (no downvotes, no reputation): their score is kept beside the row, like posts'.
ALTER TABLE comments ADD COLUMN score BIGINT NOT NULL DEFAULT 0;
