-- The content digest of each event of an append_events call (0012): SHA-256 of the RFC 8785
-- canonical form of what will be stored, the bytes EventHashing hashes. One row per event a
-- request covers (`k`, its index in the event arrays); the digest is NULL where the payload is not a
-- JSON object, which the events table refuses anyway.
CREATE FUNCTION append_event_digests(requests jsonb, event_types text[], schema_versions integer[], payloads jsonb[],
                                     metadata jsonb[], occurred_at timestamptz[])
RETURNS TABLE (k integer, digest bytea)
LANGUAGE plpgsql
SET search_path = pg_catalog, public
SET extra_float_digits = 1
AS $$
DECLARE
    item               jsonb;
    event_count        integer;
    event_streams      text[] := '{}';
    event_stream_types text[] := '{}';
    payload_texts      text[];
BEGIN
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
    RETURN QUERY
    SELECT e.k::integer, e.digest
      FROM (SELECT c.k,
                   sha256(convert_to('{"eventType":' || CASE WHEN c.event_type ~ '^[A-Za-z0-9_]+$' THEN '"' || c.event_type || '"'
                                                             ELSE to_jsonb(c.event_type)::text END
                       || ',"metadata":' || canonical_event_metadata(c.metadata)
                       || ',"occurredAt":"' || to_char(c.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                       || '","payload":' || c.payload_text
                       || ',"schemaVersion":' || c.schema_version::text
                       || ',"streamId":' || c.stream_id || ',"streamType":' || c.stream_type || '}', 'UTF8')) AS digest
              FROM unnest(event_types, schema_versions, payload_texts, metadata, occurred_at, event_streams, event_stream_types)
                   WITH ORDINALITY AS c(event_type, schema_version, payload_text, metadata, occurred_at, stream_id, stream_type, k)
             WHERE c.stream_id IS NOT NULL) AS e;
END
$$;

REVOKE ALL ON FUNCTION append_event_digests(jsonb, text[], integer[], jsonb[], jsonb[], timestamptz[]) FROM PUBLIC;
