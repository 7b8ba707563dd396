-- One full-text index over posts (and later resources). `search_docs` maps a source row to an index
-- row and carries the filterable kind; `search_fts` holds the pre-tokenised text from
-- `search::tokenize::index_text` (space-separated tokens, so the tokenizer splits on spaces only and
-- keeps `_`, `.` and `-` inside tokens: `torch.nn.module`, `gpt-2`).
CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (source, source_id)
);

-- rowid = search_docs.id. Columns: title (weighted highest), context (tags; an answer's question
-- title), body; kind is stored unindexed so a kind filter runs inside the full-text query.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title,
    context,
    body,
    kind UNINDEXED,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '_.-'"
);
