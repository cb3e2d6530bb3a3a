-- The attentions given from 1 January of `desde` to 31 December of `anio` that count: in a case
-- counted (`expedientes_contables`, the one rule of who is counted) and validated.
CREATE FUNCTION indicadores.atenciones_contables(desde int, anio int)
RETURNS TABLE (institucion text, clasificacion text, posicion bigint)
LANGUAGE sql STABLE
AS $$
  SELECT a.institucion, a.clasificacion, a.posicion
    FROM atenciones a
    JOIN casos c ON c.expediente = a.expediente
    JOIN expedientes_contables ec ON ec.expediente = a.expediente
   WHERE a.fecha BETWEEN make_date(atenciones_contables.desde, 1, 1) AND make_date(atenciones_contables.anio, 12, 31)
     AND ec.cuenta AND a.version <= c.version_validada
$$;
