-- Erasure that is final (README "Erasure is final only after a rotation").
--
-- 1. Only the erasure may remove a data key. The application role loses DELETE (and UPDATE) on
--    personal_data_keys and DELETE on blind_indexes; it removes a key through erase_data_key(),
--    which refuses unless the log records DatosPersonalesBorrados for that subject. So a key can
--    never vanish without the event that says why, and `sintra verify` stays the whole story.
--    Re-wrapping (rotation) is the owner's job: `sintra keys finalizar-borrados` connects as it.
--
-- 2. Master key generations. A deleted row survives in WAL segments and in every earlier backup,
--    still wrapped by a master key the keyring holds. Erasure becomes final when that master key
--    no longer exists: the rotation re-wraps every live key under a new generation and then
--    destroys the old one. This table records each generation; a trigger refuses a key wrapped
--    (or re-wrapped) under any generation but the newest, so a process still holding the old
--    keyring cannot keep writing under a key about to be destroyed (it reloads its keyring).
CREATE TABLE master_key_generations (
    id            text        PRIMARY KEY,
    activated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    retired_at    timestamptz
);

CREATE FUNCTION require_active_generation() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    active text;
BEGIN
    SELECT id INTO active FROM master_key_generations WHERE retired_at IS NULL ORDER BY activated_at DESC, id DESC LIMIT 1;
    -- Before the first recorded generation (a database older than this migration) any id goes.
    IF active IS NOT NULL AND NEW.master_key_id <> active THEN
        RAISE EXCEPTION 'la clave de datos de «%» está envuelta con «%», pero la generación activa es «%»', NEW.subject, NEW.master_key_id, active
            USING ERRCODE = '55000', HINT = 'vuelva a leer el archivo de claves';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER personal_data_keys_active_generation
    BEFORE INSERT OR UPDATE OF master_key_id, wrapped_key ON personal_data_keys
    FOR EACH ROW EXECUTE FUNCTION require_active_generation();

-- Removes a subject's data key (its blind indexes go with it, ON DELETE CASCADE) only when the log
-- records the erasure. Returns whether a key was there. Safe to repeat: finishing an erasure that
-- was interrupted between the event and the deletion is calling it again.
CREATE FUNCTION erase_data_key(erased_subject text) RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    removed integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events WHERE stream_id = erased_subject AND event_type = 'DatosPersonalesBorrados') THEN
        RAISE EXCEPTION 'el registro no contiene el borrado de «%»: una clave de datos solo se destruye con su evento DatosPersonalesBorrados', erased_subject
            USING ERRCODE = '42501';
    END IF;
    DELETE FROM personal_data_keys WHERE subject = erased_subject;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed > 0;
END
$$;

REVOKE ALL ON master_key_generations FROM PUBLIC;
GRANT SELECT ON master_key_generations TO sintra_app;
REVOKE UPDATE, DELETE ON personal_data_keys FROM sintra_app;
REVOKE DELETE ON blind_indexes FROM sintra_app;
REVOKE ALL ON FUNCTION erase_data_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION erase_data_key(text) TO sintra_app;
