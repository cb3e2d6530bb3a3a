-- Applies the events in positions (sintra.desde, sintra.hasta] to the `expedientes` tables.
-- Run by the projector inside the transaction that also moves the checkpoint; search_path
-- points at the target schema. Frequent events are applied set-based; the rare events that
-- change a case's state are applied one by one in log order, because order decides them.
-- Every schema version of an event is handled here (AtencionOtorgada v1 is read as v2).

CREATE TEMP TABLE lote ON COMMIT DROP AS
SELECT position, stream_id, version, event_type, schema_version, payload, metadata->>'institutionId' AS institucion
  FROM public.events
 WHERE position > current_setting('sintra.desde')::bigint
   AND position <= current_setting('sintra.hasta')::bigint
   AND stream_type = 'Expediente';

INSERT INTO casos (expediente, institucion_registro, calidad, sexo, edad, nacionalidad, condicion_migratoria,
                   pais_origen, entidad_origen, municipio_origen, entidad_deteccion, municipio_deteccion,
                   fecha_deteccion, institucion_deteccion, forma_deteccion, version, posicion_registro, ultima_posicion)
SELECT stream_id, institucion, payload->>'calidad', payload->>'sexo', (payload->>'edad')::integer,
       payload->>'nacionalidad', payload->>'condicionMigratoria',
       payload->'lugarDeOrigen'->>'pais', payload->'lugarDeOrigen'->>'entidad', payload->'lugarDeOrigen'->>'municipio',
       payload->'lugarDeDeteccion'->>'entidad', payload->'lugarDeDeteccion'->>'municipio',
       (payload->>'fechaDeDeteccion')::date, payload->>'institucionQueDetecta', payload->>'formaDeDeteccion',
       version, position, position
  FROM lote WHERE event_type = 'VictimaRegistrada';

INSERT INTO historial (expediente, version, posicion, tipo_evento, fecha, institucion)
SELECT stream_id, version, position, event_type,
       coalesce(payload->>'fecha', payload->>'fechaDeDeteccion', payload->>'fechaDeDocumentacion')::date, institucion
  FROM lote;

INSERT INTO atenciones (expediente, posicion, fecha, institucion, organizacion, tipo, clasificacion, duracion_minutos, modalidad)
SELECT stream_id, position, (payload->>'fecha')::date, payload->>'institucion', payload->>'organizacionDeLaSociedadCivil',
       payload->>'tipo', payload->>'clasificacion',
       coalesce((payload->>'duracionMinutos')::integer,                                  -- v2
                greatest(1, round((payload->>'duracionHoras')::numeric * 60))::integer),  -- v1, as Upcasting.swift does
       payload->>'modalidadDeAtencion'
  FROM lote WHERE event_type = 'AtencionOtorgada';

INSERT INTO canalizaciones (expediente, folio, fecha, institucion_origen, institucion_destino, posicion)
SELECT stream_id, payload->>'folio', (payload->>'fecha')::date, institucion, payload->>'institucionDestino', position
  FROM lote WHERE event_type = 'CanalizacionSolicitada';

INSERT INTO medidas_de_proteccion (expediente, posicion, fecha, medida, autoridad, vigente_hasta)
SELECT stream_id, position, (payload->>'fecha')::date, payload->>'medida', payload->>'autoridad', (payload->>'vigenteHasta')::date
  FROM lote WHERE event_type = 'MedidaDeProteccionDictada';

-- The last documentation of each case in this batch replaces what the case had.
UPDATE casos c SET
       modalidades = coalesce(ARRAY(SELECT jsonb_array_elements_text(d.payload->'modalidades')), '{}'),
       formas_de_enganche = coalesce(ARRAY(SELECT jsonb_array_elements_text(d.payload->'formasDeEnganche')), '{}'),
       medios_de_transporte = coalesce(ARRAY(SELECT jsonb_array_elements_text(d.payload->'mediosDeTransporte')), '{}'),
       pais_destino = d.payload->'ruta'->'destino'->>'pais',
       entidad_destino = d.payload->'ruta'->'destino'->>'entidad',
       cruce_frontera = (d.payload->>'cruceDeFronteraInternacional')::boolean
  FROM (SELECT DISTINCT ON (stream_id) stream_id, payload FROM lote
         WHERE event_type = 'VictimizacionDocumentada' ORDER BY stream_id, position DESC) d
 WHERE c.expediente = d.stream_id;

DO $$
DECLARE
    e record;
    fixes jsonb;
BEGIN
    FOR e IN SELECT * FROM lote
              WHERE event_type IN ('CasoCerrado', 'CasoReabierto', 'DatosGeneralesCorregidos', 'VictimizacionCorregida',
                                   'CanalizacionAceptada', 'CanalizacionRechazada', 'RegistroValidado',
                                   'ConsentimientoRegistrado', 'DatosPersonalesBorrados',
                                   'ExpedientesVinculados', 'DuplicadoDescartado')
              ORDER BY position
    LOOP
        CASE e.event_type
        WHEN 'CasoCerrado' THEN
            UPDATE casos SET estado = 'cerrado', motivo_cierre = e.payload->>'motivo' WHERE expediente = e.stream_id;
        WHEN 'CasoReabierto' THEN
            UPDATE casos SET estado = 'abierto', motivo_cierre = NULL WHERE expediente = e.stream_id;
        WHEN 'DatosGeneralesCorregidos' THEN
            fixes := e.payload->'correcciones';
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
        WHEN 'VictimizacionCorregida' THEN
            fixes := e.payload->'correcciones';
            UPDATE casos SET
                   modalidades = CASE WHEN fixes ? 'modalidades' THEN ARRAY(SELECT jsonb_array_elements_text(fixes->'modalidades')) ELSE modalidades END,
                   formas_de_enganche = CASE WHEN fixes ? 'formasDeEnganche' THEN ARRAY(SELECT jsonb_array_elements_text(fixes->'formasDeEnganche')) ELSE formas_de_enganche END,
                   medios_de_transporte = CASE WHEN fixes ? 'mediosDeTransporte' THEN ARRAY(SELECT jsonb_array_elements_text(fixes->'mediosDeTransporte')) ELSE medios_de_transporte END,
                   pais_destino = CASE WHEN fixes ? 'ruta' THEN fixes->'ruta'->'destino'->>'pais' ELSE pais_destino END,
                   entidad_destino = CASE WHEN fixes ? 'ruta' THEN fixes->'ruta'->'destino'->>'entidad' ELSE entidad_destino END,
                   cruce_frontera = coalesce((fixes->>'cruceDeFronteraInternacional')::boolean, cruce_frontera),
                   version_ultima_correccion = e.version
             WHERE expediente = e.stream_id;
        WHEN 'CanalizacionAceptada', 'CanalizacionRechazada' THEN
            UPDATE canalizaciones
               SET estado = CASE e.event_type WHEN 'CanalizacionAceptada' THEN 'aceptada' ELSE 'rechazada' END,
                   fecha_respuesta = (e.payload->>'fecha')::date
             WHERE expediente = e.stream_id AND folio = e.payload->>'folio';
        WHEN 'RegistroValidado' THEN
            UPDATE casos SET version_validada = (e.payload->>'versionValidada')::bigint WHERE expediente = e.stream_id;
        WHEN 'ConsentimientoRegistrado' THEN
            UPDATE casos SET compartir = (e.payload->>'compartirConOtrasInstituciones')::boolean,
                             contar_en_estadisticas = (e.payload->>'contarEnEstadisticas')::boolean
             WHERE expediente = e.stream_id;
        WHEN 'DatosPersonalesBorrados' THEN
            UPDATE casos SET datos_personales_borrados = true WHERE expediente = e.stream_id;
        WHEN 'ExpedientesVinculados', 'DuplicadoDescartado' THEN
            INSERT INTO vinculos (expediente, otro, tipo, posicion)
            VALUES (e.stream_id, e.payload->>'expediente',
                    CASE e.event_type WHEN 'ExpedientesVinculados' THEN 'misma-persona' ELSE 'distinta-persona' END, e.position)
            ON CONFLICT (expediente, otro) DO UPDATE SET tipo = EXCLUDED.tipo, posicion = EXCLUDED.posicion;
        END CASE;
    END LOOP;
END $$;

UPDATE casos c SET version = m.version, ultima_posicion = m.position
  FROM (SELECT stream_id, max(version) AS version, max(position) AS position FROM lote GROUP BY stream_id) m
 WHERE c.expediente = m.stream_id;
