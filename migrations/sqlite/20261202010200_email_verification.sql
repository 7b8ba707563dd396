-- When the member's current address was confirmed by a mailed link (NULL: not confirmed).
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
