-- The programmed value (`ValorProgramadoEstablecido`) of `variable` in force in `anio`
-- (hecho_en_vigor.sql). `alcance` is `periodo` when the value covers a period counted from
-- `anio_inicial` rather than from the ficha's baseline.
CREATE FUNCTION indicadores.valor_programado(variable text, anio int)
RETURNS TABLE (posicion bigint, valor numeric, anio_inicial int, alcance text)
LANGUAGE sql STABLE
AS $$
  SELECT v.posicion, (v.datos->>'valor')::numeric, (v.datos->>'anioInicial')::int, v.datos->>'alcanceTemporal'
    FROM indicadores.hecho_en_vigor('ValorProgramadoEstablecido', 'variable', valor_programado.variable, valor_programado.anio) v
$$;
