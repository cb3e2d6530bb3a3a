-- The annual institutional reports (`InformeAnualInstitucionalPresentado`) of the years `desde` to
-- `anio`: for each institution and year, the one presented last (by date, then position).
CREATE FUNCTION indicadores.informes_anuales(desde int, anio int)
RETURNS TABLE (institucion text, posicion bigint, datos jsonb)
LANGUAGE sql STABLE
AS $$
  SELECT DISTINCT ON (h.datos->>'institucion', (h.datos->>'anio')::int) h.datos->>'institucion', h.posicion, h.datos
    FROM hechos h
   WHERE h.tipo_evento = 'InformeAnualInstitucionalPresentado'
     AND (h.datos->>'anio')::int BETWEEN informes_anuales.desde AND informes_anuales.anio
   ORDER BY h.datos->>'institucion', (h.datos->>'anio')::int, h.fecha DESC, h.posicion DESC
$$;
