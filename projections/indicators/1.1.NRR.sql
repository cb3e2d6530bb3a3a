WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
espacios AS (
  SELECT h.flujo, h.posicion
    FROM hechos h
   WHERE h.tipo_evento = 'EspacioDeParticipacionCelebrado' AND (h.datos->>'relacionadoConLaReforma')::boolean),
recomendaciones AS (
  SELECT r.posicion, e.posicion AS pos_espacio, r.datos->>'aspecto' AS aspecto, r.anio
    FROM hechos r
    JOIN espacios e ON e.flujo = r.flujo, p
   WHERE r.tipo_evento = 'RecomendacionDeReformaEmitida'
     AND r.anio BETWEEN p.desde AND p.anio)
SELECT (SELECT count(*) FROM recomendaciones)::numeric AS valor,
       coalesce((SELECT array_agg(DISTINCT x ORDER BY x)
                   FROM (SELECT posicion FROM recomendaciones UNION ALL SELECT pos_espacio FROM recomendaciones) t(x)), '{}')::bigint[] AS posiciones,
       jsonb_build_object(
         'porAspecto', (SELECT jsonb_object_agg(a.aspecto, (SELECT count(*) FROM recomendaciones r WHERE r.aspecto = a.aspecto))
                          FROM (VALUES ('prevencion'), ('sancion'), ('erradicacion'), ('proteccion-a-victimas'), ('asistencia-a-victimas')) a(aspecto)),
         'aspectosCubiertos', (SELECT count(DISTINCT aspecto) FROM recomendaciones),
         'delAnio', (SELECT count(*) FROM recomendaciones, p WHERE recomendaciones.anio = p.anio)) AS desglose
