-- The moderation log is append-only: the database itself refuses to change or remove a row.
CREATE TRIGGER mod_actions_no_update BEFORE UPDATE ON mod_actions
BEGIN
    SELECT RAISE(ABORT, 'mod_actions is append-only');
END;
CREATE TRIGGER mod_actions_no_delete BEFORE DELETE ON mod_actions
BEGIN
    SELECT RAISE(ABORT, 'mod_actions is append-only');
END;
CREATE INDEX mod_actions_by_actor ON mod_actions (actor_id, at);
CREATE INDEX mod_actions_by_target ON mod_actions (target_kind, target_id);
