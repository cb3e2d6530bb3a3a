WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
establecidos AS (SELECT m.* FROM p, indicadores.mecanismos_establecidos(p.anio) m)
SELECT (SELECT count(DISTINCT mecanismo) FROM establecidos)::numeric AS valor,
       coalesce((SELECT array_agg(posicion ORDER BY posicion) FROM establecidos), '{}')::bigint[] AS posiciones
