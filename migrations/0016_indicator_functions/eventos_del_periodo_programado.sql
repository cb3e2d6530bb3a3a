-- The events of type `tipo` from the start of the period of the programmed value `variable` in
-- force in `anio` (its `anio_inicial` when its `alcance` is `periodo`, else `desde`) to `anio`,
-- and, when it sets the period, that value's own event (`es_el_valor`, with no `datos`): a ficha
-- counts the first and shows both as provenance.
CREATE FUNCTION indicadores.eventos_del_periodo_programado(variable text, tipo text, anio int, desde int)
RETURNS TABLE (posicion bigint, datos jsonb, es_el_valor boolean)
LANGUAGE sql STABLE
AS $$
  WITH p AS (SELECT eventos_del_periodo_programado.tipo AS tipo, eventos_del_periodo_programado.anio AS anio,
                    eventos_del_periodo_programado.desde AS desde),
  v AS (SELECT v.* FROM p, indicadores.valor_programado(eventos_del_periodo_programado.variable, p.anio) v),
  inicio AS (SELECT coalesce((SELECT anio_inicial FROM v WHERE alcance = 'periodo'), p.desde) AS desde FROM p)
  SELECT h.posicion, h.datos, false
    FROM hechos h, p
   WHERE h.tipo_evento = p.tipo AND h.anio BETWEEN (SELECT desde FROM inicio) AND p.anio
  UNION ALL
  SELECT v.posicion, NULL, true FROM v WHERE v.alcance = 'periodo'
$$;
