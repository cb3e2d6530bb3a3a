-- Personal data lives in the log only as AES-256-GCM ciphertext (README "Personal data").
-- Each person (each stream that holds personal data) has its own data key, kept here wrapped
-- by a master key. These tables are deliberately mutable and outside the hash chain:
-- destroying a row is how personal data is erased (crypto-shredding) without touching the log,
-- and re-wrapping rows is how a master key is rotated without rewriting it.
CREATE TABLE personal_data_keys (
    subject        text        PRIMARY KEY,        -- the stream id whose personal fields the key opens
    master_key_id  text        NOT NULL,           -- which master key wrapped it (rotation progress)
    wrapped_key    bytea       NOT NULL CHECK (length(wrapped_key) = 12 + 32 + 16),
    created_at     timestamptz NOT NULL DEFAULT now(),
    rotated_at     timestamptz
);

-- Keyed blind indexes (HMAC-SHA-256 of a normalised CURP, of normalised name + birth date):
-- they find possible duplicates across institutions without decrypting anything, and are
-- deleted with the key on erasure, so nothing that could confirm a guess survives it.
CREATE TABLE blind_indexes (
    subject  text  NOT NULL REFERENCES personal_data_keys (subject) ON DELETE CASCADE,
    kind     text  NOT NULL CHECK (kind IN ('curp', 'nombre-fecha')),
    digest   bytea NOT NULL CHECK (length(digest) = 32),
    PRIMARY KEY (subject, kind)
);
CREATE INDEX blind_indexes_lookup ON blind_indexes (kind, digest);

REVOKE ALL ON personal_data_keys, blind_indexes FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON personal_data_keys, blind_indexes TO sintra_app;
