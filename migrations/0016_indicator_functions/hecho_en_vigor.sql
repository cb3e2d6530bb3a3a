-- The fact in force in `anio` among those of type `tipo` whose field `campo` is `valor`: the
-- programmed values and the universes of institutions are chosen so. Of those whose years cover
-- `anio` (`anioInicial` to `anioFinal`, an open end covering every later year), the one recorded
-- last by date, then by position. No row when none covers it.
CREATE FUNCTION indicadores.hecho_en_vigor(tipo text, campo text, valor text, anio int)
RETURNS TABLE (posicion bigint, datos jsonb)
LANGUAGE sql STABLE
AS $$
  WITH p AS (SELECT hecho_en_vigor.tipo AS tipo, hecho_en_vigor.campo AS campo, hecho_en_vigor.valor AS valor,
                    hecho_en_vigor.anio AS anio)
  SELECT h.posicion, h.datos
    FROM hechos h, p
   WHERE h.tipo_evento = p.tipo AND h.datos->>p.campo = p.valor
     AND (h.datos->>'anioInicial')::int <= p.anio AND coalesce((h.datos->>'anioFinal')::int, p.anio) >= p.anio
   ORDER BY h.fecha DESC, h.posicion DESC
   LIMIT 1
$$;
