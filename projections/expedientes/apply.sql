-- Applies the events in positions (sintra.desde, sintra.hasta] to the `expedientes` tables.
-- Run by the projector inside the transaction that also moves the checkpoint; search_path
-- points at the target schema. Payloads are read upcast to their current version by
-- public.upcast_payload (migration 0030), the one place a schema step is written.
--
-- Why it is shaped this way (a rebuild reads a million events through it): the batch is read
-- from the log once, into memory, and every insert is fed from that one read; each case touched
-- by the batch is updated once, with everything the batch says about it; an event that changes
-- state is applied by "the last one of the batch wins" per case, because each kind of such
-- event writes columns no other kind writes, so only their order within a case matters. Only
-- the corrections, which merge field by field, are applied one by one in log order.

-- The batch's events, kept in memory (a batch of 50,000 events is ~25 MB).
SELECT set_config('work_mem', '128MB', true);

CREATE TEMP TABLE lote_raros (position bigint, stream_id text, version bigint, event_type text, payload jsonb) ON COMMIT DROP;
CREATE TEMP TABLE lote_casos (stream_id text, version bigint, position bigint) ON COMMIT DROP;

WITH lote AS MATERIALIZED (
    SELECT position, stream_id, version, event_type, public.upcast_payload(event_type, schema_version, payload) AS payload,
           metadata->>'institutionId' AS institucion
      FROM public.events
     WHERE position > current_setting('sintra.desde')::bigint
       AND position <= current_setting('sintra.hasta')::bigint
       AND stream_type = 'Expediente'),
registros AS (
    INSERT INTO casos (expediente, institucion_registro, calidad, sexo, edad, nacionalidad, condicion_migratoria,
                       pais_origen, entidad_origen, municipio_origen, entidad_deteccion, municipio_deteccion,
                       fecha_deteccion, institucion_deteccion, forma_deteccion, version, posicion_registro, ultima_posicion)
    SELECT stream_id, institucion, payload->>'calidad', payload->>'sexo', (payload->>'edad')::integer,
           payload->>'nacionalidad', payload->>'condicionMigratoria',
           payload->'lugarDeOrigen'->>'pais', payload->'lugarDeOrigen'->>'entidad', payload->'lugarDeOrigen'->>'municipio',
           payload->'lugarDeDeteccion'->>'entidad', payload->'lugarDeDeteccion'->>'municipio',
           (payload->>'fechaDeDeteccion')::date, payload->>'institucionQueDetecta', payload->>'formaDeDeteccion',
           version, position, position
      FROM lote WHERE event_type = 'VictimaRegistrada'),
linea_de_tiempo AS (
    INSERT INTO historial (expediente, version, posicion, tipo_evento, fecha, institucion)
    SELECT stream_id, version, position, event_type,
           coalesce(payload->>'fecha', payload->>'fechaDeDeteccion', payload->>'fechaDeDocumentacion')::date, institucion
      FROM lote),
atenciones_nuevas AS (
    INSERT INTO atenciones (expediente, posicion, version, fecha, institucion, organizacion, tipo, clasificacion, duracion_minutos, modalidad)
    SELECT stream_id, position, version, (payload->>'fecha')::date, payload->>'institucion', payload->>'organizacionDeLaSociedadCivil',
           payload->>'tipo', payload->>'clasificacion',
           (payload->>'duracionMinutos')::integer,
           payload->>'modalidadDeAtencion'
      FROM lote WHERE event_type = 'AtencionOtorgada'),
canalizaciones_nuevas AS (
    INSERT INTO canalizaciones (expediente, folio, fecha, institucion_origen, institucion_destino, posicion)
    SELECT stream_id, payload->>'folio', (payload->>'fecha')::date, institucion, payload->>'institucionDestino', position
      FROM lote WHERE event_type = 'CanalizacionSolicitada'),
medidas AS (
    INSERT INTO medidas_de_proteccion (expediente, posicion, fecha, medida, autoridad, vigente_hasta)
    SELECT stream_id, position, (payload->>'fecha')::date, payload->>'medida', payload->>'autoridad', (payload->>'vigenteHasta')::date
      FROM lote WHERE event_type = 'MedidaDeProteccionDictada'),
raros AS (
    INSERT INTO lote_raros
    SELECT position, stream_id, version, event_type, payload
      FROM lote WHERE event_type NOT IN ('VictimaRegistrada', 'AtencionOtorgada', 'CanalizacionSolicitada', 'MedidaDeProteccionDictada'))
INSERT INTO lote_casos
SELECT stream_id, max(version), max(position) FROM lote GROUP BY stream_id;

-- One update per case: its last version and position; the last documentation replaces the
-- victimisation; closing and reopening, validation and consent take the batch's last word;
-- erasure is sticky. Every value is converted for every event (not only the last), so a
-- malformed event fails the batch whichever batch it falls in.
UPDATE casos c SET
       modalidades = CASE WHEN s.documentacion IS NULL THEN c.modalidades
                          ELSE coalesce(ARRAY(SELECT jsonb_array_elements_text(s.documentacion->'modalidades')), '{}') END,
       formas_de_enganche = CASE WHEN s.documentacion IS NULL THEN c.formas_de_enganche
                                 ELSE coalesce(ARRAY(SELECT jsonb_array_elements_text(s.documentacion->'formasDeEnganche')), '{}') END,
       medios_de_transporte = CASE WHEN s.documentacion IS NULL THEN c.medios_de_transporte
                                   ELSE coalesce(ARRAY(SELECT jsonb_array_elements_text(s.documentacion->'mediosDeTransporte')), '{}') END,
       pais_destino = CASE WHEN s.documentacion IS NULL THEN c.pais_destino ELSE s.documentacion->'ruta'->'destino'->>'pais' END,
       entidad_destino = CASE WHEN s.documentacion IS NULL THEN c.entidad_destino ELSE s.documentacion->'ruta'->'destino'->>'entidad' END,
       cruce_frontera = CASE WHEN s.documentacion IS NULL THEN c.cruce_frontera
                             ELSE (s.documentacion->>'cruceDeFronteraInternacional')::boolean END,
       estado = CASE WHEN s.con_cierre THEN s.cierre ELSE c.estado END,
       motivo_cierre = CASE WHEN s.con_cierre THEN s.motivo_cierre ELSE c.motivo_cierre END,
       version_validada = CASE WHEN s.con_validacion THEN s.version_validada ELSE c.version_validada END,
       compartir = CASE WHEN s.con_consentimiento THEN s.compartir ELSE c.compartir END,
       contar_en_estadisticas = CASE WHEN s.con_consentimiento THEN s.contar_en_estadisticas ELSE c.contar_en_estadisticas END,
       posicion_consentimiento = CASE WHEN s.con_consentimiento THEN s.posicion_consentimiento ELSE c.posicion_consentimiento END,
       version_documentacion = coalesce(s.version_documentacion, c.version_documentacion),
       datos_personales_borrados = c.datos_personales_borrados OR coalesce(s.borrados, false),
       version = m.version,
       ultima_posicion = m.position
  FROM lote_casos m
  LEFT JOIN (
        SELECT stream_id,
               (array_agg(payload ORDER BY position DESC) FILTER (WHERE event_type = 'VictimizacionDocumentada'))[1] AS documentacion,
               (array_agg(CASE event_type WHEN 'CasoCerrado' THEN 'cerrado' ELSE 'abierto' END ORDER BY position DESC)
                    FILTER (WHERE event_type IN ('CasoCerrado', 'CasoReabierto')))[1] AS cierre,
               (array_agg(CASE event_type WHEN 'CasoCerrado' THEN payload->>'motivo' END ORDER BY position DESC)
                    FILTER (WHERE event_type IN ('CasoCerrado', 'CasoReabierto')))[1] AS motivo_cierre,
               bool_or(event_type IN ('CasoCerrado', 'CasoReabierto')) AS con_cierre,
               (array_agg((payload->>'versionValidada')::bigint ORDER BY position DESC)
                    FILTER (WHERE event_type = 'RegistroValidado'))[1] AS version_validada,
               bool_or(event_type = 'RegistroValidado') AS con_validacion,
               (array_agg((payload->>'compartirConOtrasInstituciones')::boolean ORDER BY position DESC)
                    FILTER (WHERE event_type = 'ConsentimientoRegistrado'))[1] AS compartir,
               (array_agg((payload->>'contarEnEstadisticas')::boolean ORDER BY position DESC)
                    FILTER (WHERE event_type = 'ConsentimientoRegistrado'))[1] AS contar_en_estadisticas,
               bool_or(event_type = 'ConsentimientoRegistrado') AS con_consentimiento,
               max(position) FILTER (WHERE event_type = 'ConsentimientoRegistrado') AS posicion_consentimiento,
               max(version) FILTER (WHERE event_type = 'VictimizacionDocumentada') AS version_documentacion,
               bool_or(event_type = 'DatosPersonalesBorrados') AS borrados
          FROM lote_raros GROUP BY stream_id) s USING (stream_id)
 WHERE c.expediente = m.stream_id;

-- A referral's answer: the batch's last answer for each folio.
UPDATE canalizaciones c
   SET estado = r.estado, fecha_respuesta = r.fecha
  FROM (SELECT DISTINCT ON (stream_id, folio) stream_id, folio, estado, fecha
          FROM (SELECT stream_id, payload->>'folio' AS folio, position, (payload->>'fecha')::date AS fecha,
                       CASE event_type WHEN 'CanalizacionAceptada' THEN 'aceptada' ELSE 'rechazada' END AS estado
                  FROM lote_raros WHERE event_type IN ('CanalizacionAceptada', 'CanalizacionRechazada') OFFSET 0) respuestas
         ORDER BY stream_id, folio, position DESC) r
 WHERE c.expediente = r.stream_id AND c.folio = r.folio;

-- Links between cases: the batch's last word on each pair.
INSERT INTO vinculos (expediente, otro, tipo, posicion)
SELECT DISTINCT ON (stream_id, payload->>'expediente') stream_id, payload->>'expediente',
       CASE event_type WHEN 'ExpedientesVinculados' THEN 'misma-persona' ELSE 'distinta-persona' END, position
  FROM lote_raros WHERE event_type IN ('ExpedientesVinculados', 'DuplicadoDescartado')
 ORDER BY stream_id, payload->>'expediente', position DESC
ON CONFLICT (expediente, otro) DO UPDATE SET tipo = EXCLUDED.tipo, posicion = EXCLUDED.posicion;

-- Corrections merge into what the case has, field by field: one by one, in log order.
DO $$
DECLARE
    e record;
    fixes jsonb;
BEGIN
    FOR e IN SELECT * FROM lote_raros WHERE event_type IN ('DatosGeneralesCorregidos', 'VictimizacionCorregida') ORDER BY position
    LOOP
        fixes := e.payload->'correcciones';
        IF e.event_type = 'DatosGeneralesCorregidos' THEN
            UPDATE casos SET
                   calidad = coalesce(fixes->>'calidad', calidad),
                   sexo = coalesce(fixes->>'sexo', sexo),
                   edad = coalesce((fixes->>'edad')::integer, edad),
                   nacionalidad = coalesce(fixes->>'nacionalidad', nacionalidad),
                   condicion_migratoria = coalesce(fixes->>'condicionMigratoria', condicion_migratoria),
                   pais_origen = coalesce(fixes->'lugarDeOrigen'->>'pais', pais_origen),
                   entidad_origen = CASE WHEN fixes ? 'lugarDeOrigen' THEN fixes->'lugarDeOrigen'->>'entidad' ELSE entidad_origen END,
                   municipio_origen = CASE WHEN fixes ? 'lugarDeOrigen' THEN fixes->'lugarDeOrigen'->>'municipio' ELSE municipio_origen END,
                   entidad_deteccion = CASE WHEN fixes ? 'lugarDeDeteccion' THEN fixes->'lugarDeDeteccion'->>'entidad' ELSE entidad_deteccion END,
                   municipio_deteccion = CASE WHEN fixes ? 'lugarDeDeteccion' THEN fixes->'lugarDeDeteccion'->>'municipio' ELSE municipio_deteccion END,
                   institucion_deteccion = coalesce(fixes->>'institucionQueDetecta', institucion_deteccion),
                   forma_deteccion = coalesce(fixes->>'formaDeDeteccion', forma_deteccion),
                   version_ultima_correccion = e.version
             WHERE expediente = e.stream_id;
        ELSE
            UPDATE casos SET
                   modalidades = CASE WHEN fixes ? 'modalidades' THEN ARRAY(SELECT jsonb_array_elements_text(fixes->'modalidades')) ELSE modalidades END,
                   formas_de_enganche = CASE WHEN fixes ? 'formasDeEnganche' THEN ARRAY(SELECT jsonb_array_elements_text(fixes->'formasDeEnganche')) ELSE formas_de_enganche END,
                   medios_de_transporte = CASE WHEN fixes ? 'mediosDeTransporte' THEN ARRAY(SELECT jsonb_array_elements_text(fixes->'mediosDeTransporte')) ELSE medios_de_transporte END,
                   pais_destino = CASE WHEN fixes ? 'ruta' THEN fixes->'ruta'->'destino'->>'pais' ELSE pais_destino END,
                   entidad_destino = CASE WHEN fixes ? 'ruta' THEN fixes->'ruta'->'destino'->>'entidad' ELSE entidad_destino END,
                   cruce_frontera = coalesce((fixes->>'cruceDeFronteraInternacional')::boolean, cruce_frontera),
                   version_ultima_correccion = e.version
             WHERE expediente = e.stream_id;
        END IF;
    END LOOP;
END $$;

-- Who is counted (schema.sql, `expedientes_contables`), for every case the batch touched and every
-- case linked to one of them: a new link, a discarded one, a consent or a validation changes the
-- whole person. Starting from the cases touched and the two ends of every link the batch changed,
-- the links as they now stand reach every case whose person may have changed (a discarded link
-- leaves each old partner reachable from one of its ends).
WITH RECURSIVE
tocados AS (
    SELECT stream_id AS expediente FROM lote_casos
    UNION SELECT expediente FROM vinculos WHERE posicion > current_setting('sintra.desde')::bigint
    UNION SELECT otro FROM vinculos WHERE posicion > current_setting('sintra.desde')::bigint),
pares AS (
    SELECT DISTINCT ON (least(expediente, otro), greatest(expediente, otro))
           least(expediente, otro) AS a, greatest(expediente, otro) AS b, tipo
      FROM vinculos
     ORDER BY least(expediente, otro), greatest(expediente, otro), posicion DESC),
misma_persona AS (SELECT a, b FROM pares WHERE tipo = 'misma-persona'),
alcanzables(desde, hasta) AS (
    SELECT expediente, expediente FROM tocados
    UNION
    SELECT r.desde, CASE WHEN m.a = r.hasta THEN m.b ELSE m.a END
      FROM alcanzables r JOIN misma_persona m ON r.hasta IN (m.a, m.b)),
-- Each start reaches its whole person; the person is its least id.
persona_de AS (
    SELECT DISTINCT r.hasta AS expediente, p.persona
      FROM alcanzables r
      JOIN (SELECT desde, min(hasta) AS persona FROM alcanzables GROUP BY desde) p USING (desde)),
con_persona AS (
    SELECT c.expediente, pd.persona, c.version_validada,
           greatest(coalesce(c.version_documentacion, 0), coalesce(c.version_ultima_correccion, 0)) AS ultimo_cambio,
           c.contar_en_estadisticas, c.posicion_consentimiento
      FROM persona_de pd JOIN casos c USING (expediente)),
consentimiento AS (
    SELECT DISTINCT ON (persona) persona, contar_en_estadisticas AS contar
      FROM con_persona WHERE posicion_consentimiento IS NOT NULL
     ORDER BY persona, posicion_consentimiento DESC)
INSERT INTO expedientes_contables (expediente, persona, con_consentimiento, validado, en_espera, cuenta)
SELECT cp.expediente, cp.persona,
       coalesce(k.contar, true),
       cp.version_validada IS NOT NULL AND cp.version_validada >= cp.ultimo_cambio,
       cp.version_validada IS NOT NULL AND cp.version_validada < cp.ultimo_cambio,
       coalesce(k.contar, true) AND cp.version_validada IS NOT NULL AND cp.version_validada >= cp.ultimo_cambio
  FROM con_persona cp LEFT JOIN consentimiento k USING (persona)
ON CONFLICT (expediente) DO UPDATE SET persona = EXCLUDED.persona, con_consentimiento = EXCLUDED.con_consentimiento,
    validado = EXCLUDED.validado, en_espera = EXCLUDED.en_espera, cuenta = EXCLUDED.cuenta;
