-- Finding a person by name without decrypting the log (issue 17): kind 'nombre-token', one keyed
-- digest (HMAC-SHA-256, the index key) per normalised word of a person's names, so «Maria Lopez»
-- finds «MARÍA LÓPEZ» and the database never holds a name. A person has several such rows, so the
-- key becomes (subject, kind, digest); the kinds that stay one per person (curp, nombre-fecha)
-- keep that through a partial unique index, which their writer's ON CONFLICT names.
--
-- Token digests are never used to flag duplicates (a shared first name is not the same person):
-- only curp and nombre-fecha take part in that join. Like the others they go with the data key
-- on erasure (ON DELETE CASCADE from personal_data_keys).
ALTER TABLE blind_indexes DROP CONSTRAINT blind_indexes_kind_check;
ALTER TABLE blind_indexes ADD CONSTRAINT blind_indexes_kind_check CHECK (kind IN ('curp', 'nombre-fecha', 'nombre-token'));
ALTER TABLE blind_indexes DROP CONSTRAINT blind_indexes_pkey;
ALTER TABLE blind_indexes ADD PRIMARY KEY (subject, kind, digest);
CREATE UNIQUE INDEX blind_indexes_one_per_subject ON blind_indexes (subject, kind) WHERE kind <> 'nombre-token';

-- A correction of the name replaces the person's token digests. The application role has no
-- DELETE on blind_indexes (migration 0014: no index may vanish without the event that says why),
-- so it replaces them through this function, which touches only 'nombre-token' rows of one
-- subject and adds none for a subject whose erasure the log records (an erasure interrupted
-- before its key was destroyed must not gain new digests). Safe to repeat: the same set twice
-- leaves the same rows.
CREATE FUNCTION replace_name_tokens(indexed_subject text, digests bytea[]) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    DELETE FROM blind_indexes
     WHERE subject = indexed_subject AND kind = 'nombre-token' AND NOT (digest = ANY (coalesce(digests, '{}')));
    IF EXISTS (SELECT 1 FROM events WHERE stream_id = indexed_subject AND event_type = 'DatosPersonalesBorrados') THEN
        DELETE FROM blind_indexes WHERE subject = indexed_subject AND kind = 'nombre-token';
        RETURN;
    END IF;
    INSERT INTO blind_indexes (subject, kind, digest)
    SELECT indexed_subject, 'nombre-token', token FROM unnest(coalesce(digests, '{}')) AS token
    ON CONFLICT (subject, kind, digest) DO NOTHING;
END
$$;

REVOKE ALL ON FUNCTION replace_name_tokens(text, bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION replace_name_tokens(text, bytea[]) TO sintra_app;
