WITH p AS (SELECT $1::int AS anio, $2::int AS desde),
aplicaciones AS (SELECT a.* FROM p, indicadores.instrumentos_aplicados(p.desde, p.anio) a WHERE a.atendio_victimas),
reportes AS (SELECT 1 FROM hechos h, p
              WHERE h.tipo_evento = 'InstrumentoAplicado' AND (h.datos->>'anio')::int BETWEEN p.desde AND p.anio)
SELECT c.* FROM p, indicadores.instituciones_contadas('autoridades-obligadas', p.anio,
         ARRAY(SELECT (institucion, posicion)::indicadores.fuente FROM aplicaciones),
         EXISTS (SELECT 1 FROM reportes), 'ninguna institución reportó aplicaciones de instrumentos para ' || p.anio) c
