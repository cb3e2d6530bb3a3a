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

-- sintra: after bulk load
-- Built once a fresh copy is filled (see projections/expedientes/schema.sql); the key restates
-- the log's own (position).
ALTER TABLE hechos ADD PRIMARY KEY (posicion);
CREATE INDEX hechos_tipo_anio ON hechos (tipo_evento, anio);
CREATE INDEX hechos_flujo ON hechos (flujo, version_flujo);
