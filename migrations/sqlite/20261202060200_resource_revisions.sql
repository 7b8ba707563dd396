-- Every edit of a resource listing: who, when, and the entry as it was before the edit.
CREATE TABLE resource_revisions (
    id INTEGER PRIMARY KEY,
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    editor_id BIGINT NOT NULL REFERENCES users (id),
    at BIGINT NOT NULL,
    changed TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    description_md TEXT NOT NULL,
    status_after TEXT NOT NULL
);
CREATE INDEX resource_revisions_by_resource ON resource_revisions (resource_id, id);
