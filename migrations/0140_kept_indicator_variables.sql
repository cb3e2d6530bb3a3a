-- The fichas' variables as computed over the projections at one log position, kept (issue 21,
-- Sources/Indicators/KeptIndicators.swift). What a variable's query returns depends only on the
-- projections at that position, the ficha's document and the projections' scripts — never on the
-- date it is asked (the `p/` flag is decided afterwards, from the date) — so the same figures at the
-- same position are a lookup instead of the fichas' SQL over every case and attention again.
--
-- The projector's leader keeps them once the log has been still for a round (the usual reading of
-- the programme's pages and of GET /v1/indicadores is then a lookup), and every as-of computation
-- keeps what it replayed. Of the rows kept over the live projections one position per UTC day
-- stays: the day's last, which is the end of the day whenever the log was still at midnight.
--
-- `clave` is the SHA-256 of the ficha's document, the engine's version and the scripts of the
-- projections the queries read, so a changed ficha or projection never reads another's figures.
-- Aggregates only: counts and percentages and the log positions that made them; nothing personal.
CREATE TABLE indicadores_calculados (
    clave      bytea    NOT NULL CHECK (length(clave) = 32),
    posicion   bigint   NOT NULL,
    anio       integer  NOT NULL,
    -- The variable's place in the ficha's `metodoDeCalculo.variables`, and its `clave`.
    orden      integer  NOT NULL,
    variable   text     NOT NULL,
    -- As the variable's query returned them (IndicatorEngine reads both the same way).
    valor      float8,
    posiciones bigint[] NOT NULL,
    preliminar boolean  NOT NULL,
    desglose   jsonb,
    motivo     text,
    calculado  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (posicion, clave, anio, orden)
);
REVOKE ALL ON indicadores_calculados FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON indicadores_calculados TO sintra_proyector;
GRANT SELECT ON indicadores_calculados TO sintra_app;

-- Every as-of answer first asks which fichas were in force at its position
-- (`definiciones_de_indicadores`, migration 0032): without this, a scan of the whole log (0.2 s on a
-- million events) in front of a lookup of a few milliseconds.
CREATE INDEX events_indicator_definitions ON events (position) WHERE event_type = 'DefinicionDeIndicadorAdoptada';
