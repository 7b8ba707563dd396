-- A spammer sweep also hides the member's events, so its record of what it hid takes that target
-- kind too. SQLite cannot change a CHECK: the table is rebuilt.
CREATE TABLE spam_sweep_items_new (
    sweep_id BIGINT NOT NULL REFERENCES spam_sweeps (id),
    target_kind TEXT NOT NULL
        CHECK (target_kind IN ('post', 'comment', 'resource', 'resource_comment', 'event')),
    target_id BIGINT NOT NULL,
    previous_status TEXT NOT NULL,
    PRIMARY KEY (sweep_id, target_kind, target_id)
);
INSERT INTO spam_sweep_items_new (sweep_id, target_kind, target_id, previous_status)
    SELECT sweep_id, target_kind, target_id, previous_status FROM spam_sweep_items;
DROP TABLE spam_sweep_items;
ALTER TABLE spam_sweep_items_new RENAME TO spam_sweep_items;
