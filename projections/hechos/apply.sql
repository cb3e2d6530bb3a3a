-- Applies positions (sintra.desde, sintra.hasta] to `hechos`. Personal fields are ciphertext in the
-- log; they are dropped here so that nothing downstream (indicators, statistics) can even see them.
-- Corrections and annulments of a record (RegistroCorregido, RegistroAnulado) are not rows of their
-- own: they change the record's rows, so every indicator reads each record as it stands.
INSERT INTO hechos (posicion, flujo, tipo_flujo, version_flujo, tipo_evento, version_esquema, fecha, anio, institucion, datos)
SELECT e.position, e.stream_id, e.stream_type, e.version, e.event_type, e.schema_version,
       (e.occurred_at AT TIME ZONE 'UTC')::date, extract(year FROM e.occurred_at AT TIME ZONE 'UTC')::integer,
       e.metadata->>'institutionId', sin_cifrados(e.payload)
  FROM public.events e
 WHERE e.position > current_setting('sintra.desde')::bigint
   AND e.position <= current_setting('sintra.hasta')::bigint
   AND e.stream_type <> 'Expediente'
   AND e.event_type NOT IN ('RegistroCorregido', 'RegistroAnulado');

-- One by one in log order: a batch may hold a record, its correction and its annulment.
-- A correction replaces the opening event's fields (null removes one) and, when the record's date
-- changed, its date and year; an annulment removes every row of the record from this position on
-- (an as-of replay before it still has them).
DO $$
DECLARE
    e record;
BEGIN
    FOR e IN SELECT stream_id, event_type, payload FROM public.events
              WHERE position > current_setting('sintra.desde')::bigint
                AND position <= current_setting('sintra.hasta')::bigint
                AND event_type IN ('RegistroCorregido', 'RegistroAnulado')
              ORDER BY position
    LOOP
        IF e.event_type = 'RegistroAnulado' THEN
            DELETE FROM hechos WHERE flujo = e.stream_id;
        ELSE
            UPDATE hechos h
               SET datos = (h.datos || sin_cifrados(e.payload->'correcciones'))
                           - ARRAY(SELECT key FROM jsonb_each(e.payload->'correcciones') WHERE jsonb_typeof(value) IN ('null', 'string')
                                      AND (jsonb_typeof(value) = 'null' OR value #>> '{}' LIKE 'cifrado:v%')),
                   fecha = coalesce((e.payload->'registro'->>'fecha')::date, h.fecha),
                   anio = coalesce(extract(year FROM (e.payload->'registro'->>'fecha')::date)::integer, h.anio)
             WHERE h.flujo = e.stream_id AND h.version_flujo = 1;
        END IF;
    END LOOP;
END $$;
