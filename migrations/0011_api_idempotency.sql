-- The first answer of each API write that is not a command (administration, one's own password),
-- by account and Idempotency-Key, so that a retry after a timeout gets that answer instead of
-- acting twice. Commands need no table: the log itself recognises their keys.
--
-- Only a keyed digest (HMAC-SHA-256) of the request is kept, never the request: its body may hold
-- a password or a person's name. The answers hold neither (accounts without personal fields, an
-- institution's clave and name). Rows are kept a day.
CREATE TABLE api_idempotency (
    account_id       text        NOT NULL CHECK (account_id LIKE 'usuario-%'),
    idempotency_key  text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    request_digest   bytea       NOT NULL CHECK (length(request_digest) = 32),
    status           integer     CHECK (status BETWEEN 100 AND 599),  -- NULL while the first request runs
    response         text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, idempotency_key)
);
CREATE INDEX api_idempotency_age ON api_idempotency (created_at);

REVOKE ALL ON api_idempotency FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON api_idempotency TO sintra_app;
