WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
aplicaciones AS (SELECT a.* FROM p, indicadores.instrumentos_aplicados(p.desde, p.anio) a)
SELECT c.* FROM p, indicadores.instituciones_contadas('instituciones-apf-que-aplican-instrumentos', p.anio,
         ARRAY(SELECT (institucion, posicion)::indicadores.fuente FROM aplicaciones), true, NULL) c
