WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
u AS (SELECT u.* FROM p, indicadores.universo_de_instituciones('instancias-integrantes-ci', p.anio) u),
lista AS (SELECT i.institucion FROM u, jsonb_array_elements_text(u.instituciones) AS i(institucion)),
umbral AS (SELECT v.* FROM p, indicadores.valor_programado('4-2-porcentaje-minimo', p.anio) v),
capacitaciones AS (
  SELECT h.datos->>'institucion' AS institucion, h.posicion,
         coalesce((h.datos->'participantesPorNivelDeMando'->>'mandosAltos')::numeric, 0) AS altos,
         coalesce((h.datos->'participantesPorNivelDeMando'->>'mandosMedios')::numeric, 0) AS medios,
         coalesce((h.datos->'participantesPorNivelDeMando'->>'operativos')::numeric, 0) AS operativos
    FROM hechos h, p
   WHERE h.tipo_evento = 'CapacitacionImpartida' AND (h.datos->>'basadaEnElProgramaNacionalDeCapacitacion')::boolean
     AND h.anio BETWEEN p.desde AND p.anio),
capacitados AS (
  SELECT institucion, sum(altos) AS altos, sum(medios) AS medios, sum(operativos) AS operativos
    FROM capacitaciones GROUP BY institucion),
plantillas AS (
  SELECT DISTINCT ON (h.datos->>'institucion') h.datos->>'institucion' AS institucion, h.posicion,
         (h.datos->'personalPorNivelDeMando'->>'mandosAltos')::numeric AS altos,
         (h.datos->'personalPorNivelDeMando'->>'mandosMedios')::numeric AS medios,
         (h.datos->'personalPorNivelDeMando'->>'operativos')::numeric AS operativos
    FROM hechos h, p
   WHERE h.tipo_evento = 'PlantillaInstitucionalRegistrada' AND (h.datos->>'anio')::int <= p.anio
   ORDER BY h.datos->>'institucion', (h.datos->>'anio')::int DESC, h.fecha DESC, h.posicion DESC),
contadas AS (
  SELECT l.institucion, pl.posicion AS pos_plantilla
    FROM lista l
    JOIN capacitados c ON c.institucion = l.institucion
    JOIN plantillas pl ON pl.institucion = l.institucion, umbral m
   WHERE c.altos >= m.valor / 100 * pl.altos
     AND c.medios >= m.valor / 100 * pl.medios
     AND c.operativos >= m.valor / 100 * pl.operativos)
SELECT CASE WHEN EXISTS (SELECT 1 FROM u) AND EXISTS (SELECT 1 FROM umbral)
            THEN (SELECT count(*) FROM contadas) END::numeric AS valor,
       coalesce((SELECT array_agg(DISTINCT x ORDER BY x)
                   FROM (SELECT ca.posicion FROM capacitaciones ca JOIN contadas c USING (institucion)
                         UNION ALL SELECT pos_plantilla FROM contadas
                         UNION ALL SELECT posicion FROM u
                         UNION ALL SELECT posicion FROM umbral) t(x)), '{}')::bigint[] AS posiciones,
       CASE WHEN EXISTS (SELECT 1 FROM u) THEN indicadores.desglose_de_instituciones(
         ARRAY(SELECT institucion FROM contadas), ARRAY(SELECT institucion FROM lista), ARRAY(SELECT institucion FROM capacitados))
         || jsonb_build_object('porNivel', coalesce((
           SELECT jsonb_agg(jsonb_build_object(
                    'institucion', l.institucion,
                    'mandosAltos', jsonb_build_object('capacitados', coalesce(c.altos, 0), 'plantilla', pl.altos,
                                                      'minimo', (SELECT valor FROM umbral) / 100 * pl.altos,
                                                      'cumple', coalesce(c.altos, 0) >= (SELECT valor FROM umbral) / 100 * pl.altos),
                    'mandosMedios', jsonb_build_object('capacitados', coalesce(c.medios, 0), 'plantilla', pl.medios,
                                                       'minimo', (SELECT valor FROM umbral) / 100 * pl.medios,
                                                       'cumple', coalesce(c.medios, 0) >= (SELECT valor FROM umbral) / 100 * pl.medios),
                    'operativos', jsonb_build_object('capacitados', coalesce(c.operativos, 0), 'plantilla', pl.operativos,
                                                     'minimo', (SELECT valor FROM umbral) / 100 * pl.operativos,
                                                     'cumple', coalesce(c.operativos, 0) >= (SELECT valor FROM umbral) / 100 * pl.operativos))
                  ORDER BY l.institucion)
             FROM lista l
             LEFT JOIN capacitados c ON c.institucion = l.institucion
             LEFT JOIN plantillas pl ON pl.institucion = l.institucion), '[]'::jsonb)) END AS desglose
