WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
difusion AS (
  SELECT h.datos->>'institucion' AS institucion, h.posicion
    FROM hechos h, p
   WHERE h.tipo_evento = 'AccionDeDifusionRealizada'
     AND h.anio BETWEEN p.desde AND p.anio
     AND (h.datos->'temas' IS NULL
          OR ARRAY(SELECT jsonb_array_elements_text(h.datos->'temas'))
             && ARRAY['modalidades-de-explotacion', 'formas-de-enganche', 'denuncia-segura']))
SELECT c.* FROM p, indicadores.instituciones_contadas('instancias-integrantes-ci', p.anio,
         ARRAY(SELECT (institucion, posicion)::indicadores.fuente FROM difusion), true, NULL) c
