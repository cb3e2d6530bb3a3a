WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
espacios AS (
  SELECT h.posicion, h.datos->'sectoresParticipantes' AS sectores,
         (SELECT count(DISTINCT s) FROM jsonb_array_elements_text(h.datos->'sectoresParticipantes') AS t(s)
           WHERE s IN ('academia', 'sector-publico', 'sector-social', 'organismos-internacionales',
                       'victimas-sobrevivientes', 'grupos-vulnerables')) AS participaciones
    FROM hechos h, p
   WHERE h.tipo_evento = 'EspacioDeParticipacionCelebrado' AND (h.datos->>'relacionadoConLaReforma')::boolean
     AND h.anio BETWEEN p.desde AND p.anio)
SELECT coalesce((SELECT sum(participaciones) FROM espacios), 0)::numeric AS valor,
       coalesce((SELECT array_agg(posicion ORDER BY posicion) FROM espacios WHERE participaciones > 0), '{}')::bigint[] AS posiciones,
       jsonb_build_object('porSector',
         (SELECT jsonb_object_agg(s.sector, (SELECT count(*) FROM espacios e WHERE e.sectores @> jsonb_build_array(s.sector)))
            FROM (VALUES ('academia'), ('sector-publico'), ('sector-social'), ('organismos-internacionales'),
                         ('victimas-sobrevivientes'), ('grupos-vulnerables')) s(sector))) AS desglose
