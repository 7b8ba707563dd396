-- Resources and events get their own full-text table. They shared `search_fts` with the posts, so a
-- search of resources (or events) read every post holding the words to check each one's kind: at a
-- million posts, seconds for a common word. In `search_side_fts` (a few thousand rows) the kind
-- check walks only them. Same columns and tokenizer; rowid = search_docs.id as before.
CREATE VIRTUAL TABLE search_side_fts USING fts5(
    title,
    context,
    body,
    kind UNINDEXED,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '_.-'"
);

INSERT INTO search_side_fts (rowid, title, context, body, kind)
SELECT f.rowid, f.title, f.context, f.body, f.kind FROM search_fts f
JOIN search_docs d ON d.id = f.rowid WHERE d.source <> 'post';

DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE source <> 'post');
