WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
establecidos AS (SELECT m.* FROM p, indicadores.mecanismos_establecidos(p.anio) m),
dictamen AS (
  SELECT DISTINCT ON (e.mecanismo) e.mecanismo, h.posicion, (h.datos->>'funcional')::boolean AS funcional
    FROM hechos h
    JOIN establecidos e ON e.flujo = h.flujo, p
   WHERE h.tipo_evento = 'FuncionalidadDeMecanismoEvaluada' AND (h.datos->>'anio')::int <= p.anio
   ORDER BY e.mecanismo, (h.datos->>'anio')::int DESC, h.fecha DESC, h.posicion DESC),
funcionales AS (SELECT mecanismo, posicion FROM dictamen WHERE funcional)
SELECT (SELECT count(*) FROM funcionales)::numeric AS valor,
       coalesce((SELECT array_agg(DISTINCT x ORDER BY x)
                   FROM (SELECT posicion FROM funcionales
                         UNION ALL SELECT e.posicion FROM establecidos e JOIN funcionales f USING (mecanismo)) t(x)), '{}')::bigint[] AS posiciones
