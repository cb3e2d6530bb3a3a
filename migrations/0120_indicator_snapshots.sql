-- Indicators as of a past position, kept once computed (Sources/Publications/AsOfSnapshots.swift,
-- issue 21). The log up to a position never changes, so neither do the indicators computed over it
-- with the same fichas, years and date: the first answer is kept and every later one is a lookup
-- instead of a replay of two projections from position 0. `clave` is the SHA-256 of everything the
-- answer depends on (position, date, years, fichas and their documents, the engine's format).
-- Aggregates only: counts and percentages, the positions that made them; nothing personal.
CREATE TABLE indicadores_al_dia (
    clave      bytea       PRIMARY KEY CHECK (length(clave) = 32),
    posicion   bigint      NOT NULL,
    fecha      date        NOT NULL,
    -- {"resultados": [...as GET /v1/indicadores writes them], "sinVersionRegistrada": [...]}
    resultados jsonb       NOT NULL,
    creado     timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON indicadores_al_dia FROM PUBLIC;
GRANT SELECT, INSERT ON indicadores_al_dia TO sintra_proyector;
