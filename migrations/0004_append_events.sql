-- append_events(requests): appends one or more requests in one transaction (group commit).
--
-- requests is a JSON array; each element:
--   {"streamId", "streamType", "expectedVersion": "any" | "no_stream" | n,
--    "idempotencyKey": text or null,
--    "events": [{"eventType", "schemaVersion", "payload", "metadata", "occurredAt", "digest"}]}
-- where digest is the hex SHA-256 of the event's canonical content, computed by the
-- application (README "Tamper evidence").
--
-- Each request gets its own outcome row; a conflict in one does not affect the others:
--   appended               the events were written
--   replayed               the idempotency key was seen before: the first call's result, nothing written
--   conflict               current_version is not what expectedVersion asked for
--   stream_type_mismatch   the stream exists with another type
--   idempotency_key_reused the key was used before for another stream
CREATE FUNCTION append_events(requests jsonb)
RETURNS TABLE (request integer, outcome text, current_version bigint, first_position bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
    head_position bigint;
    head_hash     bytea;
    appended_at   timestamptz;
    appended_at_micros bigint;
    item          jsonb;
    event         jsonb;
    expected      jsonb;
    expected_number bigint;
    existing_type text;
    previous      bytea;
    prior         record;
    start_position bigint;
BEGIN
    -- The lock is held until commit: appends are totally ordered and positions gapless.
    SELECT h.position, h.hash INTO head_position, head_hash FROM log_head h FOR UPDATE;
    start_position := head_position;
    appended_at := clock_timestamp();
    appended_at_micros := (extract(epoch FROM appended_at) * 1000000)::bigint;
    request := -1;

    FOR item IN SELECT value FROM jsonb_array_elements(requests) LOOP
        request := request + 1;
        first_position := NULL;
        last_position := NULL;
        IF jsonb_typeof(item->'events') <> 'array' OR jsonb_array_length(item->'events') = 0 THEN
            RAISE EXCEPTION 'request % has no events', request USING ERRCODE = '22023';
        END IF;

        IF item->>'idempotencyKey' IS NOT NULL THEN
            SELECT min(e.position) AS first, max(e.position) AS last, max(e.version) AS version,
                   bool_and(e.stream_id = item->>'streamId') AS same_stream
              INTO prior
              FROM events e
             WHERE e.metadata->>'idempotencyKey' = item->>'idempotencyKey';
            IF prior.first IS NOT NULL THEN
                outcome := CASE WHEN prior.same_stream THEN 'replayed' ELSE 'idempotency_key_reused' END;
                current_version := prior.version;
                first_position := prior.first;
                last_position := prior.last;
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;

        SELECT e.version, e.stream_type INTO current_version, existing_type
          FROM events e WHERE e.stream_id = item->>'streamId'
         ORDER BY e.version DESC LIMIT 1;
        current_version := coalesce(current_version, 0);

        IF existing_type IS NOT NULL AND existing_type <> item->>'streamType' THEN
            outcome := 'stream_type_mismatch';
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- Checked before any position is drawn, so a losing writer leaves no hole.
        expected := item->'expectedVersion';
        expected_number := CASE WHEN expected = '"no_stream"'::jsonb THEN 0
                                WHEN expected = '"any"'::jsonb THEN NULL
                                ELSE expected::text::bigint END;
        IF expected_number IS NOT NULL AND current_version <> expected_number THEN
            outcome := 'conflict';
            RETURN NEXT;
            CONTINUE;
        END IF;

        first_position := head_position + 1;
        FOR event IN SELECT value FROM jsonb_array_elements(item->'events') LOOP
            IF item->>'idempotencyKey' IS DISTINCT FROM event->'metadata'->>'idempotencyKey' THEN
                RAISE EXCEPTION 'metadata.idempotencyKey must repeat the request''s key' USING ERRCODE = '22023';
            END IF;
            head_position := head_position + 1;
            current_version := current_version + 1;
            previous := head_hash;
            head_hash := sha256(previous
                                || int8send(head_position)
                                || int8send(current_version)
                                || int8send(appended_at_micros)
                                || decode(event->>'digest', 'hex'));
            INSERT INTO events (position, stream_id, stream_type, version, event_type, schema_version,
                                payload, metadata, occurred_at, recorded_at, previous_hash, hash)
            VALUES (head_position, item->>'streamId', item->>'streamType', current_version,
                    event->>'eventType', (event->>'schemaVersion')::integer,
                    event->'payload', event->'metadata', (event->>'occurredAt')::timestamptz,
                    appended_at, previous, head_hash);
        END LOOP;
        last_position := head_position;
        outcome := 'appended';
        RETURN NEXT;
    END LOOP;

    IF head_position > start_position THEN
        UPDATE log_head SET position = head_position, hash = head_hash;
        -- Only a wake-up for subscribers (delivered at commit); they read the table itself.
        PERFORM pg_notify('sintra_events', head_position::text);
    END IF;
END
$$;
