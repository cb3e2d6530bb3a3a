-- The chain verifications auditors run from the web (issue 18): the page shows the last one's
-- result — when, by whom, how far, the head hash, and the signed checkpoint it was checked against.
-- Only what the verification itself established; append-only, like the log it describes.
CREATE TABLE chain_verifications (
    id                  bigserial   PRIMARY KEY,
    verified_at         timestamptz NOT NULL DEFAULT now(),
    user_id             text        NOT NULL,
    intact              boolean     NOT NULL,
    events              bigint      NOT NULL CHECK (events >= 0),
    head_position       bigint      NOT NULL CHECK (head_position >= 0),
    head_hash           bytea       CHECK (head_hash IS NULL OR length(head_hash) = 32),
    failure             text        CHECK (failure IS NULL OR length(failure) <= 2000),
    checkpoint_position bigint      CHECK (checkpoint_position IS NULL OR checkpoint_position >= 1),
    checkpoint_key      text        CHECK (checkpoint_key IS NULL OR length(checkpoint_key) = 64)
);

CREATE FUNCTION guard_chain_verifications() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'las verificaciones registradas no se modifican: % no está permitido', TG_OP
        USING ERRCODE = 'SI090';
END
$$;

CREATE TRIGGER chain_verifications_append_only
    BEFORE UPDATE OR DELETE ON chain_verifications
    FOR EACH ROW EXECUTE FUNCTION guard_chain_verifications();

REVOKE ALL ON chain_verifications FROM PUBLIC;
GRANT SELECT, INSERT ON chain_verifications TO sintra_app;
GRANT USAGE ON SEQUENCE chain_verifications_id_seq TO sintra_app;
