-- Tables of the `hechos` projection (see projection.json). One row per event outside case files.
CREATE TABLE hechos (
    posicion       bigint NOT NULL,
    flujo          text   NOT NULL,
    tipo_flujo     text   NOT NULL,
    version_flujo  bigint NOT NULL,
    tipo_evento    text   NOT NULL,
    version_esquema integer NOT NULL,
    fecha          date   NOT NULL,   -- the event's own date (commands set occurred_at from x-evento.fecha)
    anio           integer NOT NULL,
    institucion    text   NOT NULL,   -- who recorded it (metadata)
    datos          jsonb  NOT NULL    -- the payload without its encrypted personal fields
);

-- A payload without its encrypted personal fields (top-level values that are ciphertext, any
-- version of the cipher): only a payload with a ciphertext somewhere is taken apart (most have none).
CREATE FUNCTION sin_cifrados(datos jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(datos) = 'object' AND datos::text LIKE '%cifrado:v%' THEN
               coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(datos)
                          WHERE NOT (jsonb_typeof(value) = 'string' AND value #>> '{}' LIKE 'cifrado:v%')), '{}'::jsonb)
           ELSE datos END
$$;

-- sintra: after bulk load
-- Built once a fresh copy is filled (see projections/expedientes/schema.sql); the key restates
-- the log's own (position).
ALTER TABLE hechos ADD PRIMARY KEY (posicion);
CREATE INDEX hechos_tipo_anio ON hechos (tipo_evento, anio);
CREATE INDEX hechos_flujo ON hechos (flujo, version_flujo);
