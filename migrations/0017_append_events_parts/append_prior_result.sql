-- What an earlier append with `idempotency_key` wrote, for append_events (0012): the entry this
-- call itself made (`pending_keys`: key -> {"first", "last", "version", "stream"}), else the events
-- that carry the key in their metadata. `first` is NULL when the key is new; `same_stream` tells a
-- replay from a key reused on another stream.
CREATE FUNCTION append_prior_result(pending_keys jsonb, idempotency_key text, stream text)
RETURNS TABLE (first bigint, last bigint, version bigint, same_stream boolean)
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF pending_keys ? idempotency_key THEN
        RETURN QUERY SELECT (p->>'first')::bigint, (p->>'last')::bigint, (p->>'version')::bigint, p->>'stream' = stream
                       FROM (SELECT pending_keys->idempotency_key AS p) AS pending;
    ELSE
        RETURN QUERY SELECT min(e.position), max(e.position), max(e.version), bool_and(e.stream_id = stream)
                       FROM events e
                      WHERE e.metadata ? 'idempotencyKey'  -- lets the planner use the partial index
                        AND e.metadata->>'idempotencyKey' = idempotency_key;
    END IF;
END
$$;

REVOKE ALL ON FUNCTION append_prior_result(jsonb, text, text) FROM PUBLIC;
