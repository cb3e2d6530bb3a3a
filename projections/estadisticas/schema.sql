-- Tables of the `estadisticas` projection (see projection.json). Created inside the projection's own
-- schema, so the same file builds the live, shadow and replay copies.
--
-- Why per-case rows and not counts: whether a case counts changes after the fact (consent and
-- validation arrive later, a correction suspends the validation, a link merges two cases into one
-- person), so the cells are computed when read (Sources/Statistics). Only catalogue codes, years,
-- the age at detection and counts live here: no personal field, no free text, no exact date.

CREATE TABLE casos (
    expediente           text    PRIMARY KEY,   -- the stream id (a random identifier), to join links and attentions
    posicion_registro    bigint  NOT NULL,      -- orders a person's cases: the first registered represents them
    anio                 integer NOT NULL,      -- year of detection
    entidad              text,                  -- entidad of detection (INEGI), 'EXT' abroad, NULL not recorded
    calidad              text,
    sexo                 text,
    edad                 integer,               -- age at detection in years (a statistics field, README "Personal data"); the band
                                                -- is chosen when the tables are computed, from an age-band catalogue
    estado_civil         text,
    nacionalidad         text,
    condicion_migratoria text,
    origen               text,                  -- place of origin: entidad (in Mexico) or country code
    documentada          boolean NOT NULL DEFAULT false,
    modalidades          text[]  NOT NULL DEFAULT '{}',
    formas_de_enganche   text[]  NOT NULL DEFAULT '{}',
    medios_de_transporte text[]  NOT NULL DEFAULT '{}',
    ruta_origen          text,                  -- entidad or country
    ruta_destino         text,                  -- entidad or country
    cruce_frontera       boolean,
    pais_de_cruce        text,
    version_estadistica  bigint  NOT NULL,      -- stream version of the last event that set a statistical attribute
    version_validada     bigint,                -- the version a supervisor validated
    contar               boolean,               -- consent to be counted in statistics (latest decision)
    posicion_consentimiento bigint              -- its log position: across linked cases the latest one decides
);

-- Pairs of cases declared the same person or different people; the latest decision per pair stands.
CREATE TABLE vinculos (
    expediente_a  text    NOT NULL,
    expediente_b  text    NOT NULL,
    misma_persona boolean NOT NULL,
    posicion      bigint  NOT NULL,
    PRIMARY KEY (expediente_a, expediente_b),
    CHECK (expediente_a < expediente_b)
);

CREATE TABLE atenciones (
    posicion      bigint  PRIMARY KEY,
    expediente    text    NOT NULL,
    version       bigint  NOT NULL,   -- counted only once the case is validated at or after it
    anio          integer NOT NULL,
    tipo          text    NOT NULL,
    clasificacion text    NOT NULL
);
CREATE INDEX atenciones_expediente ON atenciones (expediente);

-- The module records below carry their stream (`flujo`): a correction (RegistroCorregido) changes
-- the record's row, an annulment (RegistroAnulado) removes it.
CREATE TABLE operativos (
    posicion             bigint  PRIMARY KEY,
    flujo                text    NOT NULL,
    anio                 integer NOT NULL,
    entidad              text,
    tipo_de_lugar        text,
    rescatadas_mujeres   bigint  NOT NULL,
    rescatadas_hombres   bigint  NOT NULL,
    rescatadas_otro      bigint  NOT NULL
);

CREATE TABLE capacitaciones (
    posicion          bigint  PRIMARY KEY,
    flujo             text    NOT NULL,
    anio              integer NOT NULL,
    entidad           text,
    tipo_de_evento    text    NOT NULL,
    poblaciones       text[]  NOT NULL,
    participantes     bigint  NOT NULL,
    mujeres           bigint  NOT NULL,
    hombres           bigint  NOT NULL,
    otro              bigint  NOT NULL
);

CREATE TABLE difusion (
    posicion       bigint  PRIMARY KEY,
    flujo          text    NOT NULL,
    anio           integer NOT NULL,
    entidad        text,
    tipo_de_accion text    NOT NULL
);

-- Reductions shared by apply.sql: every place becomes an entidad or a country code (never a
-- municipio or a locality), an age becomes a band.
CREATE FUNCTION lugar(l jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(l) <> 'object' THEN NULL
                WHEN l->>'pais' = 'MEX' THEN l->>'entidad'
                ELSE l->>'pais' END
$$;

CREATE FUNCTION entidad_de(l jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(l) <> 'object' THEN NULL
                WHEN l->>'pais' = 'MEX' THEN l->>'entidad'
                ELSE 'EXT' END
$$;

CREATE FUNCTION codigos(a jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(a) = 'array' THEN a ELSE '[]'::jsonb END)), '{}')
$$;
