WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
u AS (SELECT u.* FROM p, indicadores.universo_de_instituciones('autoridades-obligadas', p.anio) u)
SELECT (SELECT jsonb_array_length(instituciones) FROM u)::numeric AS valor,
       coalesce((SELECT ARRAY[posicion] FROM u), '{}')::bigint[] AS posiciones
