-- The topics index without its constant leading column. Its condition fixes the status, so
-- PostgreSQL drops `status = 'published'` from a query it serves as already implied; with no
-- equality left on the leading column, `(created_at, id) < cursor` could not bound the scan, and a
-- deep page of /questions walked the index from the newest topic down to the cursor (a million
-- topics: about 200 ms a page, every page). Keyed by (created_at, id) alone, the cursor is where
-- the scan starts.
DROP INDEX posts_topics_new;
CREATE INDEX posts_topics_new ON posts (created_at, id)
    WHERE kind IN ('article', 'question') AND status = 'published';
