-- The applications (`InstrumentoAplicado`, years `desde` to `anio`) of an instrument registered for
-- integral attention, social reintegration or integral reparation and adopted by the CI by the end
-- of `anio`: three sources each (the application, the instrument's registration, its first
-- adoption), with whether the institution attended victims with it.
CREATE FUNCTION indicadores.instrumentos_aplicados(desde int, anio int)
RETURNS TABLE (institucion text, posicion bigint, atendio_victimas boolean)
LANGUAGE sql STABLE
AS $$
  WITH p AS (SELECT instrumentos_aplicados.desde AS desde, instrumentos_aplicados.anio AS anio),
  programa AS (
    SELECT r.flujo, r.posicion AS pos_registro, min(a.posicion) AS pos_adopcion
      FROM hechos r
      JOIN hechos a ON a.flujo = r.flujo AND a.tipo_evento = 'InstrumentoAdoptadoPorLaCI', p
     WHERE r.tipo_evento = 'InstrumentoRegistrado'
       AND ARRAY(SELECT jsonb_array_elements_text(r.datos->'finalidades'))
           && ARRAY['atencion-integral', 'reintegracion-social', 'reparacion-integral']
       AND a.fecha <= make_date(p.anio, 12, 31)
     GROUP BY r.flujo, r.posicion),
  aplicaciones AS (
    SELECT h.datos->>'institucion' AS institucion, h.posicion, pr.pos_registro, pr.pos_adopcion,
           (h.datos->>'atendioVictimasConElInstrumento')::boolean AS atendio_victimas
      FROM hechos h
      JOIN programa pr ON pr.flujo = h.flujo, p
     WHERE h.tipo_evento = 'InstrumentoAplicado'
       AND (h.datos->>'anio')::int BETWEEN p.desde AND p.anio)
  SELECT institucion, posicion, atendio_victimas FROM aplicaciones
  UNION ALL SELECT institucion, pos_registro, atendio_victimas FROM aplicaciones
  UNION ALL SELECT institucion, pos_adopcion, atendio_victimas FROM aplicaciones
$$;
