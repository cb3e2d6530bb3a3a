-- Which environment a database belongs to: production or training (SINTRA Capacitación, issue 16).
-- The environment is a property of the data, not only of a flag: `sintra serve` compares this row
-- with its own configured environment (SINTRA_AMBIENTE) and refuses to start on a mismatch, so a
-- training instance can never write into production figures, nor production into training.
--
-- One row at most, written once by the owner (`sintra migrate`, with SINTRA_AMBIENTE or --ambiente).
-- No row means production: databases migrated before this table existed are production ones.
CREATE TABLE deployment_environment (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    name       text        NOT NULL CHECK (name IN ('produccion', 'capacitacion')),
    set_at     timestamptz NOT NULL DEFAULT now()
);

-- Once written it never changes (a production database relabelled as training would let its real
-- figures be handled as practice data), and a log that already holds events is production: only
-- an empty database may become a training one.
CREATE FUNCTION guard_deployment_environment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'el ambiente de la base no se cambia: % no está permitido', TG_OP
            USING ERRCODE = 'SI010', HINT = 'Una base de capacitación se crea vacía (sintra capacitacion reiniciar).';
    END IF;
    IF NEW.name = 'capacitacion' AND EXISTS (SELECT 1 FROM events) THEN
        RAISE EXCEPTION 'una base que ya tiene eventos es de producción: no puede marcarse como de capacitación'
            USING ERRCODE = 'SI010', HINT = 'Cree una base vacía para capacitación (ops/run --capacitacion).';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER deployment_environment_write_once
    BEFORE INSERT OR UPDATE OR DELETE ON deployment_environment
    FOR EACH ROW EXECUTE FUNCTION guard_deployment_environment();

CREATE TRIGGER deployment_environment_no_truncate
    BEFORE TRUNCATE ON deployment_environment
    FOR EACH STATEMENT EXECUTE FUNCTION guard_deployment_environment();

REVOKE ALL ON deployment_environment FROM PUBLIC;
GRANT SELECT ON deployment_environment TO sintra_app, sintra_proyector;
