-- How much of a user's negative reputation the floor at 1 has absorbed. Reputation is
-- max(1, 1 + the sum of their events); keeping the absorbed part lets one relative UPDATE keep that
-- true, so undoing votes in any order (or concurrently) lands on the same number.
ALTER TABLE users ADD COLUMN reputation_shortfall BIGINT NOT NULL DEFAULT 0;
