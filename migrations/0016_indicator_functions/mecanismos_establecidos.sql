-- The coordination mechanisms established (`MecanismoDeCoordinacionEstablecido`) up to `anio`.
CREATE FUNCTION indicadores.mecanismos_establecidos(anio int)
RETURNS TABLE (flujo text, posicion bigint, mecanismo text)
LANGUAGE sql STABLE
AS $$
  SELECT h.flujo, h.posicion, h.datos->>'mecanismo'
    FROM hechos h
   WHERE h.tipo_evento = 'MecanismoDeCoordinacionEstablecido' AND h.anio <= mecanismos_establecidos.anio
$$;
