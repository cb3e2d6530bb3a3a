-- The application role reads the log and appends through append_events(); it can neither
-- change nor delete an event (no UPDATE/DELETE grant, and the triggers of 0003 besides).
REVOKE ALL ON events, log_head FROM PUBLIC;
GRANT SELECT, INSERT ON events TO sintra_app;
GRANT SELECT, UPDATE ON log_head TO sintra_app;
GRANT SELECT ON sintra_migrations TO sintra_app;
GRANT EXECUTE ON FUNCTION append_events(jsonb, text[], integer[], jsonb[], jsonb[], timestamptz[], bytea[]) TO sintra_app;
