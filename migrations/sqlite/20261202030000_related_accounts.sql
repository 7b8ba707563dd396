-- The network an account signed up from (an IPv4 address or an IPv6 /64; NULL when it is unknown
-- or loopback): accounts from one network are related, and acceptances between them pay nothing.
ALTER TABLE users ADD COLUMN signup_network TEXT;
CREATE INDEX users_by_signup_network ON users (signup_network);
-- The network a flag came from: flags from one network count once toward hiding.
ALTER TABLE flags ADD COLUMN reporter_network TEXT;
-- Once-a-day jobs (the serial-vote reversal) look up whether today's key was ever queued.
CREATE INDEX jobs_by_dedupe_key ON jobs (dedupe_key);
