WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
v AS (SELECT v.* FROM p, indicadores.valor_programado('2-1-tmcp', p.anio) v)
SELECT (SELECT valor FROM v) AS valor,
       coalesce((SELECT ARRAY[posicion] FROM v), '{}')::bigint[] AS posiciones
