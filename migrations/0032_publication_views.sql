-- The events two readers look for by type, named once here (beside the partial index of 0015)
-- instead of as string literals in Swift: `Publication` reads `publicaciones`,
-- `IndicatorDefinitionHistory` reads `definiciones_de_indicadores`. Plain views, inlined by the
-- planner, so the partial index still answers "the last publication" without a scan.
CREATE VIEW publicaciones AS
    SELECT stream_id, position, payload FROM events WHERE event_type = 'PublicacionRealizada';
CREATE VIEW definiciones_de_indicadores AS
    SELECT stream_id, position, payload FROM events WHERE event_type = 'DefinicionDeIndicadorAdoptada';
GRANT SELECT ON publicaciones, definiciones_de_indicadores TO sintra_app, sintra_proyector;
