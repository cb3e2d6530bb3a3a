-- Tables of the `expedientes` projection. Created inside the projection's own schema
-- (search_path is set to it), so the same file builds the live copy, a shadow copy for a
-- rebuild, or a scratch copy for `sintra replay`. No personal data: see projection.json.
--
-- A fresh copy is filled from the whole log before the statements below the marker line
-- "-- sintra: after bulk load" run: building an index once over a million sorted rows costs a
-- fraction of maintaining it row by row. Above the marker stays only what apply.sql needs while
-- loading: the keys it updates and upserts by (casos, canalizaciones, vinculos). The keys below it
-- restate the log's own uniqueness (position; stream and version), so they cannot fail meanwhile.

CREATE TABLE casos (
    expediente               text PRIMARY KEY,
    institucion_registro     text NOT NULL,
    calidad                  text,
    sexo                     text,
    edad                     integer,
    nacionalidad             text,
    condicion_migratoria     text,
    pais_origen              text,
    entidad_origen           text,
    municipio_origen         text,
    entidad_deteccion        text,
    municipio_deteccion      text,
    fecha_deteccion          date NOT NULL,
    institucion_deteccion    text,
    forma_deteccion          text,
    modalidades              text[] NOT NULL DEFAULT '{}',
    formas_de_enganche       text[] NOT NULL DEFAULT '{}',
    medios_de_transporte     text[] NOT NULL DEFAULT '{}',
    pais_destino             text,
    entidad_destino          text,
    cruce_frontera           boolean,
    estado                   text NOT NULL DEFAULT 'abierto' CHECK (estado IN ('abierto', 'cerrado')),
    motivo_cierre            text,
    version_validada         bigint,
    version_ultima_correccion bigint,
    -- The stream version of the last VictimizacionDocumentada: with the corrections, what a validation must cover
    -- for the case to count (see expedientes_contables).
    version_documentacion    bigint,
    validado                 boolean GENERATED ALWAYS AS
                               (version_validada IS NOT NULL AND version_validada >= coalesce(version_ultima_correccion, 0)) STORED,
    compartir                boolean,
    contar_en_estadisticas   boolean,
    -- Log position of the latest ConsentimientoRegistrado: across a person's linked cases the latest decision stands.
    posicion_consentimiento  bigint,
    datos_personales_borrados boolean NOT NULL DEFAULT false,
    version                  bigint NOT NULL,
    posicion_registro        bigint NOT NULL,
    ultima_posicion          bigint NOT NULL
);

-- Every event of every case, for the timeline and "which institutions took part".
CREATE TABLE historial (
    expediente  text   NOT NULL,
    version     bigint NOT NULL,
    posicion    bigint NOT NULL,
    tipo_evento text   NOT NULL,
    fecha       date,
    institucion text   NOT NULL
);

CREATE TABLE atenciones (
    expediente       text   NOT NULL,
    posicion         bigint NOT NULL,
    -- The case's stream version of this attention: the fichas count it once validation reaches it.
    version          bigint NOT NULL,
    fecha            date   NOT NULL,
    institucion      text,
    organizacion     text,
    tipo             text   NOT NULL,
    clasificacion    text   NOT NULL,
    duracion_minutos integer,
    modalidad        text
);

CREATE TABLE canalizaciones (
    expediente          text   NOT NULL,
    folio               text   NOT NULL,
    fecha               date   NOT NULL,
    institucion_origen  text   NOT NULL,
    institucion_destino text   NOT NULL,
    estado              text   NOT NULL DEFAULT 'pendiente' CHECK (estado IN ('pendiente', 'aceptada', 'rechazada')),
    fecha_respuesta     date,
    posicion            bigint NOT NULL,
    PRIMARY KEY (expediente, folio)
);

CREATE TABLE medidas_de_proteccion (
    expediente    text   NOT NULL,
    posicion      bigint NOT NULL,
    fecha         date   NOT NULL,
    medida        text   NOT NULL,
    autoridad     text   NOT NULL,
    vigente_hasta date
);

-- Cases declared the same person (counted once) or explicitly different.
CREATE TABLE vinculos (
    expediente text   NOT NULL,
    otro       text   NOT NULL,
    tipo       text   NOT NULL CHECK (tipo IN ('misma-persona', 'distinta-persona')),
    posicion   bigint NOT NULL,
    PRIMARY KEY (expediente, otro)
);

-- Who is counted, in one place (README "Who is counted"): every ficha that counts people or
-- attentions reads this table, and Sources/Statistics/People.swift applies the same rule to the
-- `estadisticas` projection (a test checks both give the same counts on the same history).
--
-- * A person is the set of case files declared the same person (ExpedientesVinculados,
--   transitively, unless a later DuplicadoDescartado for the pair); `persona` is its least id.
-- * Consent: figures are anonymous aggregates, which need no consent (only sharing a case with
--   another institution does, `compartir`); a person is left out only when the latest
--   ConsentimientoRegistrado of any of their cases says contarEnEstadisticas false.
-- * Validation: a case counts once a RegistroValidado covers its registration, its documentation
--   and every correction; a later documentation or correction suspends it (`en_espera`) until it
--   is validated again, because what would be counted is not validated yet.
--
-- Kept by apply.sql for the cases each batch touches and every case linked to them (issue 21): it
-- was a view, and resolving every link of every case again at each reading was half the time of
-- the fichas that count people. `ExpedientesContablesTests` checks the table against the rule
-- written as one query, on random histories applied in random batches.
CREATE TABLE expedientes_contables (
    expediente         text    PRIMARY KEY,
    persona            text    NOT NULL,
    con_consentimiento boolean NOT NULL,
    validado           boolean NOT NULL,
    en_espera          boolean NOT NULL,
    cuenta             boolean NOT NULL
);

-- sintra: after bulk load
ALTER TABLE historial ADD PRIMARY KEY (expediente, version);
ALTER TABLE atenciones ADD PRIMARY KEY (posicion);
ALTER TABLE medidas_de_proteccion ADD PRIMARY KEY (posicion);
CREATE INDEX casos_institucion ON casos (institucion_registro);
CREATE INDEX casos_entidad ON casos (entidad_deteccion, municipio_deteccion);
CREATE INDEX casos_fecha ON casos (fecha_deteccion);
CREATE INDEX atenciones_expediente ON atenciones (expediente, fecha);
CREATE INDEX canalizaciones_destino ON canalizaciones (institucion_destino, estado);
