-- The database computes each event's content digest itself (README "Tamper evidence").
--
-- Until now append_events chained whatever digest its caller passed: the application role could
-- append an event under a digest of other content (or of nothing), and from that position on
-- `sintra verify` failed for good. Now the digest is recomputed here from exactly what is stored
-- (the RFC 8785 canonical form of the event's content, the same bytes EventHashing hashes) and a
-- call whose digests differ is refused whole, before the log is locked: nothing is appended.
-- The caller's digests stay in the signature as a cross-check of the two implementations.

-- A decimal within a factor of ten of `near`, read as a double, or NULL where float8 refuses it
-- (beyond its range, or so small it reads as zero): only near those ends can that happen, so only
-- there is the error caught (a subtransaction each time).
CREATE FUNCTION canonical_json_float8(decimal_text text, near float8) RETURNS float8
LANGUAGE plpgsql IMMUTABLE STRICT
AS $$
BEGIN
    IF near BETWEEN 1e-300 AND 1e300 THEN
        RETURN decimal_text::float8;
    END IF;
    BEGIN
        RETURN decimal_text::float8;
    EXCEPTION WHEN numeric_value_out_of_range THEN
        RETURN NULL;
    END;
END
$$;

-- A JSON number as ECMAScript's Number::toString writes it (RFC 8785 §3.2.2.3): the shortest
-- digits that read back as the same double, laid out as EventHashing's ECMAScriptNumber does.
-- float8's text output gives those digits only with extra_float_digits ≥ 1 (the default), so any
-- other setting is refused rather than trusted.
CREATE FUNCTION canonical_json_number(value numeric) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
AS $$
DECLARE
    text_form text;
    negative  boolean;
    digits    text;
    point     integer;   -- value = 0.digits × 10^point
    k         integer;
    magnitude float8;
    candidate text;
    shorter   text;
    shortest  text;
    shortest_point integer;
BEGIN
    -- Integers below 2^53 are exact and their own shortest form.
    IF value = trunc(value) AND abs(value) < 9007199254740992 THEN
        RETURN trunc(value)::text;
    END IF;
    IF current_setting('extra_float_digits')::integer < 1 THEN
        RAISE EXCEPTION 'extra_float_digits debe ser al menos 1 para escribir números en forma canónica' USING ERRCODE = '22023';
    END IF;
    text_form := value::float8::text;
    negative := left(text_form, 1) = '-';
    IF negative THEN text_form := substr(text_form, 2); END IF;
    IF position('e' IN text_form) > 0 THEN
        digits := replace(split_part(text_form, 'e', 1), '.', '');
        point := split_part(text_form, 'e', 2)::integer + 1;
    ELSIF position('.' IN text_form) > 0 THEN
        digits := replace(text_form, '.', '');
        point := position('.' IN text_form) - 1;
    ELSE
        digits := text_form;
        point := length(text_form);
    END IF;
    k := length(digits);
    digits := ltrim(digits, '0');
    point := point - (k - length(digits));
    digits := rtrim(digits, '0');
    k := length(digits);
    IF k = 0 THEN RETURN '0'; END IF;
    -- float8's output never picks a decimal that lies exactly half an ulp from the double, though
    -- such a tie reads back as this double (round half to even) and ECMAScript takes it when it is
    -- shorter (6642931143606080000 where float8 writes 6.642931143606079e+18). Only 16 or 17 digits
    -- can hide one (two decimals of 15 digits or fewer never read back as the same double). The tie
    -- is the rounding of the digits, down or up, at every length from the shortest that reads back
    -- up to k − 1, so lengths are tried from k − 1 down while one reads back.
    IF k >= 16 THEN
        magnitude := abs(value)::float8;
        shortest := NULL;
        FOR j IN REVERSE k - 1 .. 1 LOOP
            shorter := NULL;
            FOREACH candidate IN ARRAY ARRAY[left(digits, j), (left(digits, j)::numeric + 1)::text] LOOP
                IF canonical_json_float8(candidate || 'e' || (point - j), magnitude) = magnitude
                   AND (shorter IS NULL OR right(candidate, 1) IN ('0', '2', '4', '6', '8')) THEN
                    shorter := candidate;
                END IF;
            END LOOP;
            EXIT WHEN shorter IS NULL;
            shortest := shorter;
            shortest_point := point - j + length(shorter);
        END LOOP;
        IF shortest IS NOT NULL THEN
            point := shortest_point;
            digits := rtrim(shortest, '0');
            k := length(digits);
        END IF;
    END IF;
    IF k <= point AND point <= 21 THEN
        text_form := digits || repeat('0', point - k);
    ELSIF 0 < point AND point <= 21 THEN
        text_form := left(digits, point) || '.' || substr(digits, point + 1);
    ELSIF -6 < point AND point <= 0 THEN
        text_form := '0.' || repeat('0', -point) || digits;
    ELSE
        text_form := left(digits, 1) || CASE WHEN k > 1 THEN '.' || substr(digits, 2) ELSE '' END
                     || 'e' || CASE WHEN point > 0 THEN '+' ELSE '-' END || abs(point - 1)::text;
    END IF;
    RETURN CASE WHEN negative THEN '-' || text_form ELSE text_form END;
END
$$;

-- An object key as a JSON string. RFC 8785 sorts keys by UTF-16 code units; COLLATE "C" sorts by
-- code points, which differs only for characters beyond U+FFFF: such keys are refused (no event
-- definition has them) rather than hashed in an order a verifier would not reproduce.
CREATE FUNCTION canonical_json_key(key text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
AS $$
BEGIN
    IF key ~ '[\U00010000-\U0010FFFF]' THEN
        RAISE EXCEPTION 'la clave JSON «%» tiene caracteres fuera del plano básico; no se admite', key USING ERRCODE = '22023';
    END IF;
    RETURN to_jsonb(key)::text;
END
$$;

-- A jsonb value in RFC 8785 canonical form. Strings need no work: jsonb writes them with exactly
-- RFC 8785's escapes (", \\, \b \f \n \r \t, other controls as lowercase \u00xx, the rest as is).
-- Scalars are written inline and only nested containers recurse, because each call of a PL/pgSQL
-- function that runs a query costs more than all the string work of a small object.
CREATE FUNCTION canonical_json(value jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
AS $$
BEGIN
    CASE jsonb_typeof(value)
    WHEN 'object' THEN
        RETURN '{' || coalesce((
            SELECT string_agg(CASE WHEN m.key ~ '^[A-Za-z0-9_]+$' THEN '"' || m.key || '"' ELSE canonical_json_key(m.key) END
                              || ':' || CASE jsonb_typeof(m.v)
                                  WHEN 'string' THEN m.v::text WHEN 'boolean' THEN m.v::text WHEN 'null' THEN 'null'
                                  WHEN 'number' THEN CASE WHEN m.v::text ~ '^-?(0|[1-9][0-9]{0,14})$' THEN m.v::text
                                                          ELSE canonical_json_number(m.v::text::numeric) END
                                  ELSE canonical_json(m.v) END,
                              ',' ORDER BY m.key COLLATE "C")
              FROM jsonb_each(value) AS m(key, v)), '') || '}';
    WHEN 'array' THEN
        RETURN '[' || coalesce((
            SELECT string_agg(CASE jsonb_typeof(a.v)
                                  WHEN 'string' THEN a.v::text WHEN 'boolean' THEN a.v::text WHEN 'null' THEN 'null'
                                  WHEN 'number' THEN CASE WHEN a.v::text ~ '^-?(0|[1-9][0-9]{0,14})$' THEN a.v::text
                                                          ELSE canonical_json_number(a.v::text::numeric) END
                                  ELSE canonical_json(a.v) END,
                              ',' ORDER BY a.n)
              FROM jsonb_array_elements(value) WITH ORDINALITY AS a(v, n)), '') || ']';
    WHEN 'number' THEN
        RETURN canonical_json_number(value::text::numeric);
    ELSE
        RETURN value::text;
    END CASE;
END
$$;

-- Event metadata as the application writes it (EventMetadata: a few known keys, string values),
-- laid out by concatenation in RFC 8785 order without walking the object; anything else takes the
-- general path.
CREATE FUNCTION canonical_event_metadata(value jsonb) RETURNS text
LANGUAGE sql STABLE
AS $$
SELECT CASE WHEN value - '{causationId,client,correlationId,idempotencyKey,institutionId,userId}'::text[] = '{}'::jsonb
                 AND NOT jsonb_path_exists(value, '$.* ? (@.type() != "string")')
            THEN '{' || concat_ws(',', '"causationId":' || (value->'causationId')::text, '"client":' || (value->'client')::text,
                                  '"correlationId":' || (value->'correlationId')::text, '"idempotencyKey":' || (value->'idempotencyKey')::text,
                                  '"institutionId":' || (value->'institutionId')::text, '"userId":' || (value->'userId')::text) || '}'
            ELSE canonical_json(value) END
$$;

-- The same function as 0004 (signature, owner and grants kept by CREATE OR REPLACE), except that
-- the digests it chains are the ones it computes.
CREATE OR REPLACE FUNCTION append_events(requests jsonb, event_types text[], schema_versions integer[], payloads jsonb[],
                              metadata jsonb[], occurred_at timestamptz[], digests bytea[])
RETURNS TABLE (request integer, outcome text, current_version bigint, first_position bigint, last_position bigint)
LANGUAGE plpgsql
-- Runs with its owner's rights: the application role may call it but cannot insert into
-- events or move log_head itself, so every event goes through the lock and the chain.
SECURITY DEFINER
SET search_path = pg_catalog, public
SET extra_float_digits = 1
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
    rows_key       text[] := '{}';
    rows_hash      bytea[] := '{}';
    start_hash     bytea;
    clock_bytes    bytea;
    -- The digests computed here, one per event; a local array is kept expanded, so element k is
    -- read in constant time.
    digest_list    bytea[];
    refused        bigint;
    event_streams      text[] := '{}';
    event_stream_types text[] := '{}';
    payload_texts      text[];
BEGIN
    -- Every event's digest, from the content as it will be stored, in one statement for the whole
    -- call and before the lock, so concurrent writers compute theirs in parallel.
    FOR item IN SELECT value FROM jsonb_array_elements(requests) LOOP
        event_count := greatest(coalesce((item->>'events')::integer, 0), 0);
        -- As JSON strings already: quoted once per request rather than once per event.
        event_streams := event_streams || array_fill(to_jsonb(item->>'streamId')::text, ARRAY[event_count]);
        event_stream_types := event_stream_types || array_fill(to_jsonb(item->>'streamType')::text, ARRAY[event_count]);
    END LOOP;
    -- The top level of every payload at once: one join and one sort for the whole call costs a
    -- fraction of walking each payload in a subquery of its own. Only nested containers recurse.
    SELECT array_agg(g.text ORDER BY g.k) INTO payload_texts
      -- Anything but an object (which the table refuses anyway) gets no text, hence no digest: refused.
      FROM (SELECT x.k, CASE WHEN bool_and(jsonb_typeof(x.p) = 'object') THEN '{' || coalesce(string_agg(
                       CASE WHEN m.key ~ '^[A-Za-z0-9_]+$' THEN '"' || m.key || '"' ELSE canonical_json_key(m.key) END
                       || ':' || CASE jsonb_typeof(m.v)
                           WHEN 'string' THEN m.v::text WHEN 'boolean' THEN m.v::text WHEN 'null' THEN 'null'
                           WHEN 'number' THEN CASE WHEN m.v::text ~ '^-?(0|[1-9][0-9]{0,14})$' THEN m.v::text
                                                   ELSE canonical_json_number(m.v::text::numeric) END
                           ELSE canonical_json(m.v) END,
                       ',' ORDER BY m.key COLLATE "C"), '') || '}' END AS text
              FROM unnest(payloads) WITH ORDINALITY AS x(p, k)
              LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(x.p) = 'object' THEN x.p END) AS m(key, v) ON true
             GROUP BY x.k) AS g;
    SELECT array_agg(e.digest ORDER BY e.k), min(e.k) FILTER (WHERE e.digest IS NULL OR e.given IS DISTINCT FROM e.digest)
      INTO digest_list, refused
      FROM (SELECT c.k, c.given,
                   sha256(convert_to('{"eventType":' || CASE WHEN c.event_type ~ '^[A-Za-z0-9_]+$' THEN '"' || c.event_type || '"'
                                                             ELSE to_jsonb(c.event_type)::text END
                       || ',"metadata":' || canonical_event_metadata(c.metadata)
                       || ',"occurredAt":"' || to_char(c.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                       || '","payload":' || c.payload_text
                       || ',"schemaVersion":' || c.schema_version::text
                       || ',"streamId":' || c.stream_id || ',"streamType":' || c.stream_type || '}', 'UTF8')) AS digest
              FROM unnest(event_types, schema_versions, payload_texts, metadata, occurred_at, event_streams, event_stream_types, digests)
                   WITH ORDINALITY AS c(event_type, schema_version, payload_text, metadata, occurred_at, stream_id, stream_type, given, k)
             WHERE c.stream_id IS NOT NULL) AS e;
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
            IF pending_keys ? idempotency_key THEN
                SELECT (p->>'first')::bigint AS first, (p->>'last')::bigint AS last, (p->>'version')::bigint AS version,
                       p->>'stream' = stream AS same_stream
                  INTO prior FROM (SELECT pending_keys->idempotency_key AS p) AS pending;
            ELSE
                SELECT min(e.position) AS first, max(e.position) AS last, max(e.version) AS version,
                       bool_and(e.stream_id = stream) AS same_stream
                  INTO prior FROM events e
                 WHERE e.metadata ? 'idempotencyKey'  -- lets the planner use the partial index
                   AND e.metadata->>'idempotencyKey' = idempotency_key;
            END IF;
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
        rows_event := rows_event || ARRAY(SELECT generate_series(first_event - event_count, first_event - 1));
        rows_version := rows_version || ARRAY(SELECT generate_series(current_version + 1, current_version + event_count));
        rows_stream := rows_stream || array_fill(stream, ARRAY[event_count]);
        rows_type := rows_type || array_fill(item->>'streamType', ARRAY[event_count]);
        rows_key := rows_key || array_fill(idempotency_key, ARRAY[event_count]);
        FOR i IN 0 .. event_count - 1 LOOP
            head_hash := sha256(head_hash || int8send(first_position + i) || int8send(current_version + 1 + i)
                                || clock_bytes || digest_list[first_event - event_count + i]);
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
        -- The idempotency lookup above finds a call's events by the key in their metadata.
        IF EXISTS (SELECT FROM unnest(rows_event, rows_key) AS r(k, key)
                     JOIN unnest(metadata) WITH ORDINALITY AS m(value, k) USING (k)
                    WHERE m.value->>'idempotencyKey' IS DISTINCT FROM r.key) THEN
            RAISE EXCEPTION 'metadata.idempotencyKey must repeat the request''s key' USING ERRCODE = '22023';
        END IF;
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
