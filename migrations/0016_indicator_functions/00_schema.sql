-- The functions the fichas' queries (projections/indicators/<id>.<CLAVE>.sql) share: the lookups
-- several fichas made alike (the "valor programado" in force, the universe of institutions, the
-- institutions counted against it, …), one per file in this folder, applied in name order.
--
-- They read the projection tables (`hechos`, `casos`, `expedientes_contables`, …) by their bare
-- names, so they run over whichever copy the caller put on its search_path: the live `proj_*`
-- schemas, or a replay's scratch ones (IndicatorEngine.Source). That is why their bodies are not
-- checked here: no projection table is on the owner's search_path when they are created.
--
-- A recorded ficha (DefinicionDeIndicadorAdoptada) names these functions in its SQL, so a figure
-- recomputed from it depends on them: like a migration, a function here is never changed once
-- shipped; a different rule is a new function, in a new migration.
SET LOCAL check_function_bodies = off;

CREATE SCHEMA indicadores;
-- The projector computes the indicators (IndicatorEngine runs on its pool); the application reads.
GRANT USAGE ON SCHEMA indicadores TO sintra_proyector, sintra_app;

-- One source of an institution's figure: the institution and the log position that shows it.
CREATE TYPE indicadores.fuente AS (institucion text, posicion bigint);
