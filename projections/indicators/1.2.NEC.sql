WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
e AS (SELECT e.* FROM p, indicadores.eventos_del_periodo_programado('1-2-nep', 'EspacioDeParticipacionCelebrado', p.anio, p.desde) e
       WHERE e.es_el_valor OR (e.datos->>'relacionadoConLaReforma')::boolean)
SELECT count(*) FILTER (WHERE NOT es_el_valor)::numeric AS valor,
       coalesce(array_agg(DISTINCT posicion ORDER BY posicion), '{}')::bigint[] AS posiciones FROM e
