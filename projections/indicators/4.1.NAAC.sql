WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
e AS (
  SELECT h.posicion
    FROM hechos h, p
   WHERE h.tipo_evento = 'ProgramaNacionalDeCapacitacionActualizado'
     AND h.anio BETWEEN p.desde AND p.anio)
SELECT (SELECT count(*) FROM e)::numeric AS valor,
       coalesce((SELECT array_agg(DISTINCT x ORDER BY x) FROM (SELECT posicion FROM e) t(x)), '{}')::bigint[] AS posiciones
