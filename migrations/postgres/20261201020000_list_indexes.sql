-- Every list a page shows is read from an index in its own order, so its cost does not grow with the
-- forum. Each partial index's condition is repeated word for word by the query it serves
-- (db::posts::lists, answers, profiles), and its leading columns are the query's equalities, so
-- both planners pick it over the wider index that would also match (checked by the test
-- `every_list_query_is_served_by_an_index`).

-- Pinned posts on top of /questions and /articles: a handful of rows, found without reading the list.
CREATE INDEX posts_pinned ON posts (kind, status, last_activity_at, id)
    WHERE pinned = 1 AND status = 'published';

-- The unanswered tab.
CREATE INDEX posts_unanswered ON posts (kind, status, answer_count, created_at, id)
    WHERE answer_count = 0 AND status = 'published';

-- Articles and questions together, newest first: the site feed.
CREATE INDEX posts_topics_new ON posts (status, created_at, id)
    WHERE kind IN ('article', 'question') AND status = 'published';

-- A member's posts of every kind, newest first (the profile), and their drafts.
CREATE INDEX posts_by_author_new ON posts (author_id, created_at, id);
CREATE INDEX posts_drafts_by_author ON posts (author_id, id) WHERE status = 'draft';

-- A question's answers, a page at a time by score, newest or oldest, and those under review.
CREATE INDEX answers_by_score ON posts (parent_id, score DESC, id) WHERE status = 'published';
CREATE INDEX answers_by_time ON posts (parent_id, created_at, id) WHERE status = 'published';
CREATE INDEX answers_under_review ON posts (parent_id, created_at, id)
    WHERE status IN ('hidden', 'pending');

-- A member's notifications, newest first.
CREATE INDEX notifications_by_user_new ON notifications (user_id, created_at, id);
