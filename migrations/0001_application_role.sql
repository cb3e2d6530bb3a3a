-- The role the application logs in as. It may only read the log and append to it
-- (grants in 0004); migrations run as the owner of the database.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sintra_app') THEN
        CREATE ROLE sintra_app LOGIN;
    END IF;
EXCEPTION
    -- Two databases migrated at once in one cluster may both try to create it.
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
