-- SQLite moves resources and events to a full-text table of their own (search_side_fts); PostgreSQL
-- keeps every document in search_docs, where the kind filter is a column of the indexed table.
SELECT 1;
