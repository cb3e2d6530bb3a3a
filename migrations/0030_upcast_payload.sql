-- The one implementation of upcasting: a payload recorded under an older schema version, turned
-- into its type's current version. The log is immutable, so a schema change never rewrites old
-- events; every reader sees the current shape through this function: the projections' set-based
-- SQL and the Swift readers alike (StreamHistory reads `upcast_payload(...)`), so the rule is
-- written once. Each step is one WHEN; a test upcasts every old example of events/definitions
-- here and validates it against the current definition.
CREATE FUNCTION upcast_payload(event_type text, schema_version integer, payload jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        -- AtencionOtorgada v1 → v2: `duracionHoras` (decimal hours) became `duracionMinutos` (whole
        -- minutes, at least 1), because caseworkers record sessions of 45 or 90 minutes and 0.75 h read
        -- badly; v2 also adds the optional `modalidadDeAtencion`, which v1 events simply lack.
        WHEN event_type = 'AtencionOtorgada' AND schema_version = 1 AND payload ? 'duracionHoras' THEN
            (payload - 'duracionHoras')
            || jsonb_build_object('duracionMinutos', greatest(1, round((payload->>'duracionHoras')::numeric * 60))::integer)
        ELSE payload
    END
$$;
