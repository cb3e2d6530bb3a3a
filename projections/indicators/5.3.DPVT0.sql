WITH p AS (SELECT $1::int - 1 AS anio, $2::int AS desde)
SELECT d.* FROM p, indicadores.personas_detectadas_por_la_ci(p.anio) d
