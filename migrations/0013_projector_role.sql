-- The role projections write through (README "Database roles"). `sintra serve`, `sintra projections`,
-- replay and verification used to connect as the owner of the database, who can disable the
-- triggers that keep the log immutable; now they connect as sintra_proyector, which may read the
-- log and write read models, and nothing else: no write on events, log_head or personal data,
-- no ALTER of anything it does not own, no schema of its own choosing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sintra_proyector') THEN
        CREATE ROLE sintra_proyector LOGIN;
    END IF;
EXCEPTION
    -- Two databases migrated at once in one cluster may both try to create it.
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT SELECT ON events, log_head TO sintra_proyector;
GRANT SELECT, INSERT, UPDATE ON projection_state TO sintra_proyector;
GRANT EXECUTE ON FUNCTION projection_differences(text, text) TO sintra_proyector;

-- Schemas are created, renamed and dropped only through these functions, which run as the owner
-- and accept only the names projections use. The projector gets no CREATE on the database: with it
-- it could create a schema named after another role (first in that role's search_path) and shadow
-- the tables and functions that role reads. It creates its tables inside the schemas it is given.
CREATE FUNCTION projection_schema_name(schema_name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF schema_name IS NULL OR schema_name !~ '^(proj|replay|verificacion)_[a-z0-9_]{1,50}$' THEN
        RAISE EXCEPTION '«%» no es un esquema de proyección (proj_…, replay_…, verificacion_…)', schema_name
            USING ERRCODE = '42501';
    END IF;
    RETURN schema_name;
END
$$;

-- A new, empty schema (dropping one of that name first): the projector may create tables in it,
-- the application may read them.
CREATE FUNCTION create_projection_schema(schema_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', projection_schema_name(schema_name));
    EXECUTE format('CREATE SCHEMA %I', schema_name);
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO sintra_proyector', schema_name);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO sintra_app', schema_name);
END
$$;

CREATE FUNCTION drop_projection_schema(schema_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', projection_schema_name(schema_name));
END
$$;

-- The swap of a rebuild, in the caller's transaction: the fresh copy takes the live copy's name
-- and the old one is dropped.
CREATE FUNCTION swap_projection_schemas(live text, fresh text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    old text := projection_schema_name(live || '_vieja');
BEGIN
    PERFORM projection_schema_name(live), projection_schema_name(fresh);
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', old);
    IF EXISTS (SELECT FROM pg_namespace WHERE nspname = live) THEN
        EXECUTE format('ALTER SCHEMA %I RENAME TO %I', live, old);
    END IF;
    EXECUTE format('ALTER SCHEMA %I RENAME TO %I', fresh, live);
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', old);
END
$$;

REVOKE ALL ON FUNCTION create_projection_schema(text), drop_projection_schema(text), swap_projection_schemas(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION create_projection_schema(text), drop_projection_schema(text), swap_projection_schemas(text, text) TO sintra_proyector;

-- Copies built before this migration belong to whoever migrated; the projector rebuilds them as
-- itself at its next start (a projection is disposable: the log is the truth).
DO $$
DECLARE
    s text;
BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname ~ '^(proj|replay|verificacion)_' LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
END
$$;
DELETE FROM projection_state;
