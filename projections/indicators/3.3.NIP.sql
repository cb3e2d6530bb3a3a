WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
informes AS (SELECT i.* FROM p, indicadores.informes_anuales(p.desde, p.anio) i),
aten AS (SELECT a.* FROM p, indicadores.atenciones_contables(p.desde, p.anio) a),
fuentes AS (
  SELECT institucion, posicion FROM informes WHERE (datos->>'promueveLaReparacionIntegral')::boolean
  UNION ALL SELECT institucion, posicion FROM aten WHERE clasificacion = 'reparacion-integral')
SELECT c.* FROM p, indicadores.instituciones_contadas('instituciones-apf-que-promueven-la-reparacion', p.anio,
         ARRAY(SELECT (institucion, posicion)::indicadores.fuente FROM fuentes),
         EXISTS (SELECT 1 FROM informes) OR EXISTS (SELECT 1 FROM aten), 'ninguna institución reportó para ' || p.anio) c
