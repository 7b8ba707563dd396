-- A spammer sweep also hides the member's events, so its record of what it hid takes that target
-- kind too.
ALTER TABLE spam_sweep_items DROP CONSTRAINT spam_sweep_items_target_kind_check;
ALTER TABLE spam_sweep_items ADD CONSTRAINT spam_sweep_items_target_kind_check
    CHECK (target_kind IN ('post', 'comment', 'resource', 'resource_comment', 'event'));
