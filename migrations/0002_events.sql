-- The append-only event log. See README "The event log" for the meaning of each column
-- and the canonical form the hash chain is computed over.
CREATE TABLE events (
    position       bigint      PRIMARY KEY CHECK (position > 0),
    stream_id      text        NOT NULL,
    stream_type    text        NOT NULL,
    version        bigint      NOT NULL CHECK (version > 0),
    event_type     text        NOT NULL,
    schema_version integer     NOT NULL CHECK (schema_version > 0),
    payload        jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    metadata       jsonb       NOT NULL CHECK (jsonb_typeof(metadata->'userId') = 'string'
                                               AND jsonb_typeof(metadata->'institutionId') = 'string'),
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    previous_hash  bytea       NOT NULL CHECK (length(previous_hash) = 32),
    hash           bytea       NOT NULL CHECK (length(hash) = 32),
    UNIQUE (stream_id, version)
);

-- An idempotent retry looks up the first call's events by key.
CREATE INDEX events_idempotency_key ON events ((metadata->>'idempotencyKey'))
    WHERE metadata ? 'idempotencyKey';

-- "As it stood on date D" reads filter on the server clock. recorded_at only grows with
-- position (it is taken under the append lock), so a BRIN index answers that for almost no
-- cost per append, where a B-tree would add a fourth index insert to every event.
CREATE INDEX events_recorded_at ON events USING brin (recorded_at);

-- One row: the last position and hash. Appenders lock it, which puts every append in one
-- total order and makes positions gapless (README "Order without gaps").
CREATE TABLE log_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL,
    hash      bytea   NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO log_head (position, hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');
