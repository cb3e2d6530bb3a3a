-- Applies positions (sintra.desde, sintra.hasta] to `hechos`. Personal fields are ciphertext in the
-- log; they are dropped here so that nothing downstream (indicators, statistics) can even see them.
INSERT INTO hechos (posicion, flujo, tipo_flujo, version_flujo, tipo_evento, version_esquema, fecha, anio, institucion, datos)
SELECT e.position, e.stream_id, e.stream_type, e.version, e.event_type, e.schema_version,
       (e.occurred_at AT TIME ZONE 'UTC')::date, extract(year FROM e.occurred_at AT TIME ZONE 'UTC')::integer,
       e.metadata->>'institutionId',
       -- Only a payload with a ciphertext somewhere is taken apart (most have none).
       CASE WHEN e.payload::text LIKE '%cifrado:v1:%' THEN
           coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(e.payload)
                      WHERE NOT (jsonb_typeof(value) = 'string' AND value #>> '{}' LIKE 'cifrado:v1:%')), '{}'::jsonb)
       ELSE e.payload END
  FROM public.events e
 WHERE e.position > current_setting('sintra.desde')::bigint
   AND e.position <= current_setting('sintra.hasta')::bigint
   AND e.stream_type <> 'Expediente';
