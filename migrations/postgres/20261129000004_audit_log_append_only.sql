-- The moderation log is append-only: the database itself refuses to change or remove a row.
CREATE FUNCTION mod_actions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'mod_actions is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER mod_actions_no_change BEFORE UPDATE OR DELETE ON mod_actions
    FOR EACH ROW EXECUTE FUNCTION mod_actions_append_only();
CREATE INDEX mod_actions_by_actor ON mod_actions (actor_id, at);
CREATE INDEX mod_actions_by_target ON mod_actions (target_kind, target_id);
