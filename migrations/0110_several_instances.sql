-- Several `sintra serve` instances behind one proxy (issue 20): what used to live in one process's
-- memory is shared through the database.

-- Browser sessions (Sources/Web/WebSessions.swift). Found by the SHA-256 of the cookie's secret;
-- the account's bearer tokens are sealed (AES-256-GCM) under a key derived from that secret, so a
-- copy of this table neither logs anyone in nor yields a token. No account id, no name.
CREATE TABLE web_sessions (
    session_digest   bytea       PRIMARY KEY CHECK (length(session_digest) = 32),
    sealed_tokens    bytea       NOT NULL,
    last_seen        timestamptz NOT NULL DEFAULT now(),
    -- While one instance renews the single-use refresh token, the others leave it alone.
    refreshing_until timestamptz
);
CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen);
REVOKE ALL ON web_sessions FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON web_sessions TO sintra_app;

-- Token buckets of the rate limits (Sources/API/RateLimiter.swift), one per address or account,
-- keyed by an HMAC of the key (an address is personal data). UNLOGGED: no WAL, not replicated, emptied
-- after a crash; a limit that starts afresh after a crash is harmless.
CREATE UNLOGGED TABLE api_rate_limits (
    bucket     bytea            PRIMARY KEY CHECK (length(bucket) = 32),
    tokens     double precision NOT NULL,
    updated_at timestamptz      NOT NULL,
    allowed    boolean          NOT NULL
);
CREATE INDEX api_rate_limits_age ON api_rate_limits (updated_at);
REVOKE ALL ON api_rate_limits FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON api_rate_limits TO sintra_app;
