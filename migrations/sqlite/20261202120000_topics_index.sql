-- PostgreSQL rebuilds `posts_topics_new` on (created_at, id) (see its twin); SQLite bounds a
-- keyset scan of (status, created_at, id) under `status = 'published'` as it is.
SELECT 1;
