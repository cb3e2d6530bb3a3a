-- Where each projection stands. A projection's tables live in their own schema (`proj_<name>`);
-- its row here is updated in the same transaction as those tables, so a crash at any instant
-- neither loses nor double-applies an event (README "Projections").
CREATE TABLE projection_state (
    name           text        PRIMARY KEY,
    version        integer     NOT NULL,
    schema_name    text        NOT NULL,
    position       bigint      NOT NULL DEFAULT 0,
    last_error     text,
    error_position bigint,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON projection_state FROM PUBLIC;
GRANT SELECT ON projection_state TO sintra_app;
