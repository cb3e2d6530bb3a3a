-- The application role reads the log and appends only through append_events() (SECURITY
-- DEFINER, 0004): it can neither insert around the hash chain, nor move log_head, nor change
-- or delete an event (no such grants, and the triggers of 0003 besides).
REVOKE ALL ON events, log_head FROM PUBLIC;
GRANT SELECT ON events, log_head, sintra_migrations TO sintra_app;
REVOKE ALL ON FUNCTION append_events(jsonb, text[], integer[], jsonb[], jsonb[], timestamptz[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION append_events(jsonb, text[], integer[], jsonb[], jsonb[], timestamptz[], bytea[]) TO sintra_app;
