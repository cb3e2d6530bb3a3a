-- Nobody, not even the table's owner, changes or removes an event through SQL.
-- (A superuser can still disable the triggers; the hash chain and signed checkpoints
-- are what reveal that.)
CREATE FUNCTION reject_event_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'el registro de eventos es inmutable: % no está permitido', TG_OP
        USING ERRCODE = 'SI001', HINT = 'Una corrección se registra como un evento nuevo.';
END
$$;

CREATE TRIGGER events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION reject_event_change();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION reject_event_change();
