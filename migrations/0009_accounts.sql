-- Accounts: what must change in place and never enter the hash chain. Who a user is (institution,
-- roles, suspended or not) is in the log as events (UsuarioRegistrado, …); these tables hold only the
-- secrets and counters that authenticate them. No login name, person's name or e-mail is stored
-- here: a login is found by its keyed blind index (HMAC-SHA-256 of the normalised login under a key
-- derived from the keyring's index key), and a token by its SHA-256.

-- One row per account that can log in. `login_index` is unique, so two accounts never share a login.
CREATE TABLE account_credentials (
    user_id          text        PRIMARY KEY CHECK (user_id LIKE 'usuario-%'),  -- the account's stream id
    login_index      bytea       NOT NULL UNIQUE CHECK (length(login_index) = 32),
    password_hash    text        CHECK (password_hash LIKE '$scrypt$%'),       -- PHC string; NULL until one is set
    password_set_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Failed logins per login index, whether or not an account has that login: a login that does not
-- exist locks exactly like one that does, so neither the answer nor the lockout tells them apart.
-- A success deletes the row; rows of logins nobody retried are purged after a day.
CREATE TABLE login_attempts (
    login_index      bytea       PRIMARY KEY CHECK (length(login_index) = 32),
    failures         integer     NOT NULL CHECK (failures >= 0),
    last_failure_at  timestamptz NOT NULL,
    locked_until     timestamptz
);
CREATE INDEX login_attempts_age ON login_attempts (last_failure_at);

-- Bearer tokens: 32 random bytes shown once to the client, kept only as SHA-256, so a copy of this
-- table opens no session. One login is one session: its access tokens (short) and its refresh token
-- (rotated on each use, never beyond the session's end) share `session_id`; revoking revokes the session.
CREATE TABLE bearer_tokens (
    token_hash          bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id             text        NOT NULL,
    session_id          uuid        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('acceso', 'renovacion')),
    issued_at           timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL CHECK (expires_at > issued_at),
    session_expires_at  timestamptz NOT NULL,
    revoked_at          timestamptz
);
CREATE INDEX bearer_tokens_user ON bearer_tokens (user_id);
CREATE INDEX bearer_tokens_session ON bearer_tokens (session_id);

REVOKE ALL ON account_credentials, login_attempts, bearer_tokens FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON account_credentials, login_attempts, bearer_tokens TO sintra_app;
