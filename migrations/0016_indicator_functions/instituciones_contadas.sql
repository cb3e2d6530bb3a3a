-- The fichas "institutions of a universe that did X": of the institutions in the universe
-- `universo` in force in `anio` (universo_de_instituciones.sql), how many appear in `fuentes`.
--
-- valor: that count; NULL (ND) without a universe, or when `reportaron` is false (nobody reported
-- at all: then `motivo` says why, as `motivo_sin_reportes`). posiciones: the universe's and the
-- counted sources'. desglose: desglose_de_instituciones.sql, against every source.
CREATE FUNCTION indicadores.instituciones_contadas(universo text, anio int, fuentes indicadores.fuente[],
                                                   reportaron boolean, motivo_sin_reportes text)
RETURNS TABLE (valor numeric, motivo text, posiciones bigint[], desglose jsonb)
LANGUAGE sql STABLE
AS $$
  WITH p AS (SELECT instituciones_contadas.reportaron AS reportaron, instituciones_contadas.motivo_sin_reportes AS motivo),
  u AS (SELECT * FROM indicadores.universo_de_instituciones(instituciones_contadas.universo, instituciones_contadas.anio)),
  lista AS (SELECT i.institucion FROM u, jsonb_array_elements_text(u.instituciones) AS i(institucion)),
  f AS (SELECT * FROM unnest(instituciones_contadas.fuentes)),
  contadas AS (SELECT f.institucion, f.posicion FROM f JOIN lista l ON l.institucion = f.institucion)
  SELECT CASE WHEN EXISTS (SELECT 1 FROM u) AND p.reportaron
              THEN (SELECT count(DISTINCT institucion) FROM contadas) END::numeric,
         CASE WHEN EXISTS (SELECT 1 FROM u) AND NOT p.reportaron THEN p.motivo END,
         coalesce((SELECT array_agg(DISTINCT x ORDER BY x)
                     FROM (SELECT posicion FROM contadas UNION ALL SELECT posicion FROM u) t(x)), '{}')::bigint[],
         CASE WHEN EXISTS (SELECT 1 FROM u) THEN indicadores.desglose_de_instituciones(
           ARRAY(SELECT institucion FROM contadas), ARRAY(SELECT institucion FROM lista), ARRAY(SELECT institucion FROM f)) END
    FROM p
$$;
