-- Which keyring a database belongs to (issue 20). A regenerated keyring reuses the master key id
-- `m1`, so nothing used to tell it from the original: reads failed with «clave equivocada» while
-- writes succeeded, wrapping new data keys under a master the original keyring does not hold and
-- mixing two keyrings in one database. This row is the keyring's keyed fingerprint: an HMAC of a
-- fixed label under a key derived from the keyring's blind-index key, which never rotates, so the
-- fingerprint survives `sintra keys rotate` and names the keyring's lineage, not one generation.
-- It cannot decrypt anything and says nothing about any key without the keyring.
--
-- One row at most, written the first time a keyring is used with the database (by `sintra serve`,
-- any console command that writes, or `sintra keys rotate`) and compared on every start afterwards.
CREATE TABLE keyring_identity (
    singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    fingerprint  bytea       NOT NULL CHECK (length(fingerprint) = 32),
    set_at       timestamptz NOT NULL DEFAULT now()
);

-- Once written it never changes: replacing it would let another keyring in, which is the mistake
-- this table exists to stop. The remedy for a mismatch is restoring the right keyring file.
CREATE FUNCTION guard_keyring_identity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'la huella del archivo de claves de la base no se cambia: % no está permitido', TG_OP
        USING ERRCODE = 'SI011', HINT = 'Restaure el archivo de claves original (sintra keys restaurar).';
END
$$;

CREATE TRIGGER keyring_identity_write_once
    BEFORE UPDATE OR DELETE ON keyring_identity
    FOR EACH ROW EXECUTE FUNCTION guard_keyring_identity();

CREATE TRIGGER keyring_identity_no_truncate
    BEFORE TRUNCATE ON keyring_identity
    FOR EACH STATEMENT EXECUTE FUNCTION guard_keyring_identity();

REVOKE ALL ON keyring_identity FROM PUBLIC;
GRANT SELECT, INSERT ON keyring_identity TO sintra_app;
GRANT SELECT ON keyring_identity TO sintra_proyector;
