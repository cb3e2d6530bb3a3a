-- How far a projection's live copy is from a copy rebuilt from the log (`sintra verify`).
-- For every table of the live schema, the rows found only in the live copy and only in the
-- rebuilt one. Rows are compared as their text form, so every column type compares the same
-- way and duplicates count (EXCEPT ALL). Identifiers are quoted with format('%I'); no value is
-- ever spliced into the statement.
CREATE FUNCTION projection_differences(live_schema text, rebuilt_schema text)
RETURNS TABLE (table_name text, only_live bigint, only_rebuilt bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = live_schema AND c.relkind IN ('r', 'p')
             UNION
             SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = rebuilt_schema AND c.relkind IN ('r', 'p')
             ORDER BY 1
    LOOP
        table_name := t.relname;
        IF to_regclass(format('%I.%I', live_schema, t.relname)) IS NULL THEN
            -- A table on one side only: every row in it is a difference.
            only_live := 0;
            EXECUTE format('SELECT count(*) FROM %I.%I', rebuilt_schema, t.relname) INTO only_rebuilt;
        ELSIF to_regclass(format('%I.%I', rebuilt_schema, t.relname)) IS NULL THEN
            only_rebuilt := 0;
            EXECUTE format('SELECT count(*) FROM %I.%I', live_schema, t.relname) INTO only_live;
        ELSE
            EXECUTE format('SELECT (SELECT count(*) FROM (SELECT r::text FROM %1$I.%3$I r EXCEPT ALL SELECT r::text FROM %2$I.%3$I r) d),'
                           '       (SELECT count(*) FROM (SELECT r::text FROM %2$I.%3$I r EXCEPT ALL SELECT r::text FROM %1$I.%3$I r) d)',
                           live_schema, rebuilt_schema, t.relname)
               INTO only_live, only_rebuilt;
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION projection_differences(text, text) FROM PUBLIC;
