-- The list of institutions (`UniversoDeInstitucionesDefinido`) of `universo` in force in `anio`
-- (hecho_en_vigor.sql).
CREATE FUNCTION indicadores.universo_de_instituciones(universo text, anio int)
RETURNS TABLE (posicion bigint, instituciones jsonb)
LANGUAGE sql STABLE
AS $$
  SELECT u.posicion, u.datos->'instituciones'
    FROM indicadores.hecho_en_vigor('UniversoDeInstitucionesDefinido', 'universo', universo_de_instituciones.universo,
                                    universo_de_instituciones.anio) u
$$;
