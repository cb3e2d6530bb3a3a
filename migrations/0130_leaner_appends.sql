-- Leaner appends (issue 21), measured one writer at a time with `perf` on the backend:
--
-- * Generic plans. PL/pgSQL prepares each statement once per session, but with parameters
--   PostgreSQL re-plans it on every call for as long as a custom plan looks cheaper than the
--   generic one, and for these statements it always does: a quarter of an append's time went to
--   the planner. Their plans never depend on the values (one stream's versions by the unique index,
--   one key by the partial index, arrays unnested whole), so one generic plan per session serves.
-- * append_events (0017) without three of its statements: each event's index and version are
--   assigned in the loop that already chains its hash, and the check that its metadata repeats the
--   request's idempotency key moved into the same loop. Every statement PL/pgSQL hands to the
--   executor costs a start-up; an assignment does not.
--
-- Signature, owner and grants are kept by CREATE OR REPLACE; what is appended and refused is the
-- same, in the same order of checks, except that a metadata key that differs from its request's is
-- now refused before the insert rather than just before it (both inside the call: nothing is written).
ALTER FUNCTION append_event_digests(jsonb, text[], integer[], jsonb[], jsonb[], timestamptz[])
    SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION append_prior_result(jsonb, text, text)
    SET plan_cache_mode = force_generic_plan;

CREATE OR REPLACE FUNCTION append_events(requests jsonb, event_types text[], schema_versions integer[], payloads jsonb[],
                              metadata jsonb[], occurred_at timestamptz[], digests bytea[])
RETURNS TABLE (request integer, outcome text, current_version bigint, first_position bigint, last_position bigint)
LANGUAGE plpgsql
-- Runs with its owner's rights: the application role may call it but cannot insert into
-- events or move log_head itself, so every event goes through the lock and the chain.
SECURITY DEFINER
SET search_path = pg_catalog, public
SET extra_float_digits = 1
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    head_position  bigint;
    head_hash      bytea;
    start_position bigint;
    appended_at    timestamptz;
    item           jsonb;
    stream         text;
    idempotency_key text;
    expected       jsonb;
    expected_number bigint;
    existing_type  text;
    prior          record;
    event_count    integer;
    first_event    integer := 1;   -- index in the event arrays of the current request's first event
    -- What this call has appended so far (not yet in the table):
    -- stream -> {"version", "type"}, idempotency key -> {"first", "last", "version", "stream"}.
    pending_streams  jsonb := '{}';
    pending_keys     jsonb := '{}';
    -- One entry per event to insert, in position order (position = start_position + ordinal).
    -- Filled a request at a time; only the hash is computed event by event, because each
    -- event's hash depends on the previous one.
    rows_event     integer[] := '{}';
    rows_version   bigint[] := '{}';
    rows_stream    text[] := '{}';
    rows_type      text[] := '{}';
    rows_hash      bytea[] := '{}';
    start_hash     bytea;
    clock_bytes    bytea;
    -- The digests computed here, one per event; a local array is kept expanded, so element k is
    -- read in constant time.
    digest_list    bytea[];
    -- The metadata, copied into a local variable so that it is kept expanded too.
    metadata_list  jsonb[] := metadata;
    refused        bigint;
    event_index    integer;
BEGIN
    -- Every event's digest, from the content as it will be stored (append_event_digests), before
    -- the lock, so concurrent writers compute theirs in parallel; the first that differs from the
    -- caller's refuses the call.
    SELECT array_agg(d.digest ORDER BY d.k), min(d.k) FILTER (WHERE d.digest IS NULL OR digests[d.k] IS DISTINCT FROM d.digest)
      INTO digest_list, refused
      FROM append_event_digests(requests, event_types, schema_versions, payloads, metadata, occurred_at) AS d;
    IF refused IS NOT NULL THEN
        RAISE EXCEPTION 'el resumen del evento % no corresponde a su contenido; no se anexó nada', refused
            USING ERRCODE = 'SI002',
                  HINT = 'El resumen es SHA-256 de la forma canónica (RFC 8785) del contenido del evento.';
    END IF;

    -- The lock is held until commit: appends are totally ordered and positions gapless.
    SELECT h.position, h.hash INTO head_position, head_hash FROM log_head h FOR UPDATE;
    start_position := head_position;
    start_hash := head_hash;
    appended_at := clock_timestamp();
    clock_bytes := int8send((extract(epoch FROM appended_at) * 1000000)::bigint);
    request := -1;

    FOR item IN SELECT value FROM jsonb_array_elements(requests) LOOP
        request := request + 1;
        first_position := NULL;
        last_position := NULL;
        stream := item->>'streamId';
        idempotency_key := item->>'idempotencyKey';
        event_count := (item->>'events')::integer;
        IF event_count IS NULL OR event_count < 1 THEN
            RAISE EXCEPTION 'request % has no events', request USING ERRCODE = '22023';
        END IF;
        first_event := first_event + event_count;  -- now the next request's first event

        IF idempotency_key IS NOT NULL THEN
            SELECT * INTO prior FROM append_prior_result(pending_keys, idempotency_key, stream);
            IF prior.first IS NOT NULL THEN
                outcome := CASE WHEN prior.same_stream THEN 'replayed' ELSE 'idempotency_key_reused' END;
                current_version := prior.version;
                first_position := prior.first;
                last_position := prior.last;
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;

        IF pending_streams ? stream THEN
            current_version := (pending_streams->stream->>'version')::bigint;
            existing_type := pending_streams->stream->>'type';
        ELSE
            SELECT e.version, e.stream_type INTO current_version, existing_type
              FROM events e WHERE e.stream_id = stream ORDER BY e.version DESC LIMIT 1;
            current_version := coalesce(current_version, 0);
        END IF;

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
        rows_stream := rows_stream || array_fill(stream, ARRAY[event_count]);
        rows_type := rows_type || array_fill(item->>'streamType', ARRAY[event_count]);
        -- Event by event, in plain assignments (no statement for the executor): its index, version
        -- and hash, and the check that its metadata repeats the request's idempotency key (the
        -- lookup above finds a call's events by the key in their metadata).
        FOR i IN 0 .. event_count - 1 LOOP
            event_index := first_event - event_count + i;
            IF metadata_list[event_index]->>'idempotencyKey' IS DISTINCT FROM idempotency_key THEN
                RAISE EXCEPTION 'metadata.idempotencyKey must repeat the request''s key' USING ERRCODE = '22023';
            END IF;
            head_hash := sha256(head_hash || int8send(first_position + i) || int8send(current_version + 1 + i)
                                || clock_bytes || digest_list[event_index]);
            rows_event[first_position + i - start_position] := event_index;
            rows_version[first_position + i - start_position] := current_version + 1 + i;
            rows_hash[first_position + i - start_position] := head_hash;
        END LOOP;
        head_position := head_position + event_count;
        current_version := current_version + event_count;
        last_position := head_position;
        pending_streams := pending_streams || jsonb_build_object(stream,
            jsonb_build_object('version', current_version, 'type', item->>'streamType'));
        IF idempotency_key IS NOT NULL THEN
            pending_keys := pending_keys || jsonb_build_object(idempotency_key, jsonb_build_object(
                'first', first_position, 'last', last_position, 'version', current_version, 'stream', stream));
        END IF;
        outcome := 'appended';
        RETURN NEXT;
    END LOOP;

    IF head_position > start_position THEN
        INSERT INTO events (position, stream_id, stream_type, version, event_type, schema_version,
                            payload, metadata, occurred_at, recorded_at, previous_hash, hash)
        SELECT start_position + r.n, r.stream_id, r.stream_type, r.version, e.event_type, e.schema_version,
               e.payload, e.metadata, e.occurred_at, appended_at,
               coalesce(lag(r.hash) OVER (ORDER BY r.n), start_hash), r.hash
          FROM unnest(rows_event, rows_version, rows_stream, rows_type, rows_hash) WITH ORDINALITY
               AS r(k, version, stream_id, stream_type, hash, n)
          JOIN unnest(event_types, schema_versions, payloads, metadata, occurred_at) WITH ORDINALITY
               AS e(event_type, schema_version, payload, metadata, occurred_at, k) USING (k)
         ORDER BY r.n;
        UPDATE log_head SET position = head_position, hash = head_hash;
        -- Only a wake-up for subscribers (delivered at commit); they read the table itself.
        PERFORM pg_notify('sintra_events', head_position::text);
    END IF;
END
$$;
