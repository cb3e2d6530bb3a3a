-- The people detected as (possible) victims by a member of the CI whose earliest detection that
-- counts falls in `anio`, by the rule of the public statistics (`expedientes_contables`): ficha 5.3
-- reads it for the year and for the year before. `preliminar` when a detection of that year waits
-- for validation or consent.
CREATE FUNCTION indicadores.personas_detectadas_por_la_ci(anio int)
RETURNS TABLE (valor numeric, posiciones bigint[], preliminar boolean, desglose jsonb)
LANGUAGE sql STABLE
AS $$
  WITH p AS (SELECT personas_detectadas_por_la_ci.anio AS anio),
  integrantes_ci(institucion) AS (
    VALUES ('SEGOB'), ('SICT'), ('SRE'), ('SSPC'), ('STPS'), ('SSA'), ('BIENESTAR'), ('SEP'), ('SECTUR'),
           ('PGR'), ('FGR'), ('SNDIF'), ('CEAV'), ('INMUJERES'), ('INM')),
  detectados AS (
    SELECT c.expediente, c.fecha_deteccion, c.posicion_registro, ec.persona, ec.cuenta, ec.en_espera AND ec.con_consentimiento AS en_espera
      FROM casos c
      JOIN expedientes_contables ec USING (expediente)
     WHERE c.calidad IN ('posible-victima', 'victima')
       AND c.institucion_deteccion IN (SELECT institucion FROM integrantes_ci)),
  personas AS (
    SELECT persona, min(fecha_deteccion) AS primera_deteccion FROM detectados WHERE cuenta GROUP BY persona),
  contadas AS (
    SELECT d.expediente, d.posicion_registro, d.persona
      FROM detectados d
      JOIN personas pe USING (persona), p
     WHERE d.cuenta AND pe.primera_deteccion BETWEEN make_date(p.anio, 1, 1) AND make_date(p.anio, 12, 31)),
  en_espera AS (
    SELECT d.expediente
      FROM detectados d, p
     WHERE d.en_espera AND d.fecha_deteccion BETWEEN make_date(p.anio, 1, 1) AND make_date(p.anio, 12, 31)
       AND d.persona NOT IN (SELECT persona FROM personas)),
  vinculos_contados AS (
    SELECT v.posicion
      FROM vinculos v
      JOIN expedientes_contables ea ON ea.expediente = v.expediente
      JOIN expedientes_contables eb ON eb.expediente = v.otro
     WHERE v.tipo = 'misma-persona' AND ea.persona = eb.persona AND ea.persona IN (SELECT persona FROM contadas))
  SELECT (SELECT count(DISTINCT persona) FROM contadas)::numeric,
         coalesce((SELECT array_agg(DISTINCT x ORDER BY x)
                     FROM (SELECT posicion_registro FROM contadas UNION ALL SELECT posicion FROM vinculos_contados) t(x)), '{}')::bigint[],
         EXISTS (SELECT 1 FROM en_espera),
         jsonb_build_object('enEsperaDeValidacion', (SELECT count(*) FROM en_espera),
           'criterio', 'la regla de las estadísticas públicas, de las que difiere sólo por definición: cuenta las detecciones de integrantes de la CI, en el año de la detección más temprana de cada persona')
$$;
