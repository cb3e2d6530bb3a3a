-- Applies positions (sintra.desde, sintra.hasta] to the `estadisticas` tables. Only catalogue codes,
-- years, bands and counts are read out of the payloads: personal fields (ciphertext) and free text
-- (descriptions, names of events, civil-society organisations) are never copied.

CREATE TEMP TABLE lote ON COMMIT DROP AS
SELECT position, stream_id, stream_type, version, event_type, payload
  FROM public.events
 WHERE position > current_setting('sintra.desde')::bigint
   AND position <= current_setting('sintra.hasta')::bigint
   AND event_type IN ('VictimaRegistrada', 'VictimizacionDocumentada', 'DatosGeneralesCorregidos', 'VictimizacionCorregida',
                      'RegistroValidado', 'ConsentimientoRegistrado', 'ExpedientesVinculados', 'DuplicadoDescartado',
                      'AtencionOtorgada', 'OperativoRealizado', 'CapacitacionImpartida', 'AccionDeDifusionRealizada',
                      'RegistroCorregido', 'RegistroAnulado');

-- A registration is always the first event of its stream, so nothing in the batch precedes it.
INSERT INTO casos (expediente, posicion_registro, anio, entidad, calidad, sexo, edad, estado_civil, nacionalidad,
                   condicion_migratoria, origen, version_estadistica)
SELECT stream_id, position, extract(year FROM (payload->>'fechaDeDeteccion')::date)::integer, entidad_de(payload->'lugarDeDeteccion'),
       payload->>'calidad', payload->>'sexo', (payload->>'edad')::integer, payload->>'estadoCivil',
       payload->>'nacionalidad', payload->>'condicionMigratoria', lugar(payload->'lugarDeOrigen'), version
  FROM lote WHERE event_type = 'VictimaRegistrada' AND stream_type = 'Expediente';

-- v1 and v2 carry the same fields read here (type, classification, date).
INSERT INTO atenciones (posicion, expediente, version, anio, tipo, clasificacion)
SELECT position, stream_id, version, extract(year FROM (payload->>'fecha')::date)::integer, payload->>'tipo', payload->>'clasificacion'
  FROM lote WHERE event_type = 'AtencionOtorgada';

INSERT INTO operativos (posicion, flujo, anio, entidad, tipo_de_lugar, rescatadas_mujeres, rescatadas_hombres, rescatadas_otro)
SELECT position, stream_id, extract(year FROM (payload->>'fecha')::date)::integer, entidad_de(payload->'lugar'), payload->>'tipoDeLugar',
       coalesce((payload->'personasRescatadas'->>'mujeres')::bigint, 0), coalesce((payload->'personasRescatadas'->>'hombres')::bigint, 0),
       coalesce((payload->'personasRescatadas'->>'otro')::bigint, 0)
  FROM lote WHERE event_type = 'OperativoRealizado';

INSERT INTO capacitaciones (posicion, flujo, anio, entidad, tipo_de_evento, poblaciones, participantes, mujeres, hombres, otro)
SELECT position, stream_id, extract(year FROM (payload->>'fechaDeInicio')::date)::integer, entidad_de(payload->'lugar'), payload->>'tipoDeEvento',
       codigos(payload->'poblacionesObjetivo'), (payload->>'totalDeParticipantes')::bigint,
       coalesce((payload->'participantesPorSexo'->>'mujeres')::bigint, 0), coalesce((payload->'participantesPorSexo'->>'hombres')::bigint, 0),
       coalesce((payload->'participantesPorSexo'->>'otro')::bigint, 0)
  FROM lote WHERE event_type = 'CapacitacionImpartida';

INSERT INTO difusion (posicion, flujo, anio, entidad, tipo_de_accion)
SELECT position, stream_id, extract(year FROM (payload->>'fecha')::date)::integer, entidad_de(payload->'lugar'), payload->>'tipoDeAccion'
  FROM lote WHERE event_type = 'AccionDeDifusionRealizada';

-- What changes a case's statistical state is applied one event at a time, in log order: a later
-- correction overrides an earlier documentation, a validation covers only the versions before it.
DO $$
DECLARE
    e record;
    fixes jsonb;
BEGIN
    FOR e IN SELECT * FROM lote
              WHERE stream_type = 'Expediente'
                AND event_type NOT IN ('VictimaRegistrada', 'AtencionOtorgada')
              ORDER BY position
    LOOP
        CASE e.event_type
        WHEN 'VictimizacionDocumentada' THEN
            UPDATE casos SET
                   documentada = true,
                   modalidades = codigos(e.payload->'modalidades'),
                   formas_de_enganche = codigos(e.payload->'formasDeEnganche'),
                   medios_de_transporte = codigos(e.payload->'mediosDeTransporte'),
                   ruta_origen = lugar(e.payload->'ruta'->'origen'),
                   ruta_destino = lugar(e.payload->'ruta'->'destino'),
                   cruce_frontera = (e.payload->>'cruceDeFronteraInternacional')::boolean,
                   pais_de_cruce = e.payload->>'paisDeCruce',
                   version_estadistica = e.version
             WHERE expediente = e.stream_id;
        WHEN 'VictimizacionCorregida' THEN
            fixes := e.payload->'correcciones';
            UPDATE casos SET
                   modalidades = CASE WHEN fixes ? 'modalidades' THEN codigos(fixes->'modalidades') ELSE modalidades END,
                   formas_de_enganche = CASE WHEN fixes ? 'formasDeEnganche' THEN codigos(fixes->'formasDeEnganche') ELSE formas_de_enganche END,
                   medios_de_transporte = CASE WHEN fixes ? 'mediosDeTransporte' THEN codigos(fixes->'mediosDeTransporte') ELSE medios_de_transporte END,
                   ruta_origen = CASE WHEN fixes ? 'ruta' THEN lugar(fixes->'ruta'->'origen') ELSE ruta_origen END,
                   ruta_destino = CASE WHEN fixes ? 'ruta' THEN lugar(fixes->'ruta'->'destino') ELSE ruta_destino END,
                   cruce_frontera = CASE WHEN fixes ? 'cruceDeFronteraInternacional' THEN (fixes->>'cruceDeFronteraInternacional')::boolean ELSE cruce_frontera END,
                   pais_de_cruce = CASE WHEN fixes ? 'paisDeCruce' THEN fixes->>'paisDeCruce'
                                        WHEN (fixes->>'cruceDeFronteraInternacional')::boolean IS FALSE THEN NULL
                                        ELSE pais_de_cruce END,
                   version_estadistica = e.version
             WHERE expediente = e.stream_id;
        WHEN 'DatosGeneralesCorregidos' THEN
            fixes := e.payload->'correcciones';
            UPDATE casos SET
                   calidad = coalesce(fixes->>'calidad', calidad),
                   sexo = coalesce(fixes->>'sexo', sexo),
                   edad = CASE WHEN fixes ? 'edad' THEN (fixes->>'edad')::integer ELSE edad END,
                   estado_civil = coalesce(fixes->>'estadoCivil', estado_civil),
                   nacionalidad = coalesce(fixes->>'nacionalidad', nacionalidad),
                   condicion_migratoria = coalesce(fixes->>'condicionMigratoria', condicion_migratoria),
                   origen = CASE WHEN fixes ? 'lugarDeOrigen' THEN lugar(fixes->'lugarDeOrigen') ELSE origen END,
                   entidad = CASE WHEN fixes ? 'lugarDeDeteccion' THEN entidad_de(fixes->'lugarDeDeteccion') ELSE entidad END,
                   version_estadistica = e.version
             WHERE expediente = e.stream_id;
        WHEN 'RegistroValidado' THEN
            UPDATE casos SET version_validada = (e.payload->>'versionValidada')::bigint WHERE expediente = e.stream_id;
        WHEN 'ConsentimientoRegistrado' THEN
            UPDATE casos SET contar = (e.payload->>'contarEnEstadisticas')::boolean, posicion_consentimiento = e.position
             WHERE expediente = e.stream_id;
        WHEN 'ExpedientesVinculados', 'DuplicadoDescartado' THEN
            INSERT INTO vinculos (expediente_a, expediente_b, misma_persona, posicion)
            VALUES (least(e.stream_id, e.payload->>'expediente'), greatest(e.stream_id, e.payload->>'expediente'),
                    e.event_type = 'ExpedientesVinculados', e.position)
            ON CONFLICT (expediente_a, expediente_b) DO UPDATE SET misma_persona = EXCLUDED.misma_persona, posicion = EXCLUDED.posicion;
        ELSE
            NULL;
        END CASE;
    END LOOP;
END $$;

-- Corrections and annulments of operations, trainings and dissemination, in log order (a batch may
-- hold a record, its correction and its annulment): a correction replaces the columns its fields
-- feed, an annulment removes the record.
DO $$
DECLARE
    e record;
    fixes jsonb;
BEGIN
    FOR e IN SELECT * FROM lote WHERE event_type IN ('RegistroCorregido', 'RegistroAnulado') ORDER BY position
    LOOP
        fixes := coalesce(e.payload->'correcciones', '{}'::jsonb);
        IF e.event_type = 'RegistroAnulado' THEN
            DELETE FROM operativos WHERE flujo = e.stream_id;
            DELETE FROM capacitaciones WHERE flujo = e.stream_id;
            DELETE FROM difusion WHERE flujo = e.stream_id;
        ELSIF e.payload->'registro'->>'tipo' = 'OperativoRealizado' THEN
            UPDATE operativos SET
                   anio = CASE WHEN fixes ? 'fecha' THEN extract(year FROM (fixes->>'fecha')::date)::integer ELSE anio END,
                   entidad = CASE WHEN fixes ? 'lugar' THEN entidad_de(fixes->'lugar') ELSE entidad END,
                   tipo_de_lugar = CASE WHEN fixes ? 'tipoDeLugar' THEN fixes->>'tipoDeLugar' ELSE tipo_de_lugar END,
                   rescatadas_mujeres = CASE WHEN fixes ? 'personasRescatadas' THEN coalesce((fixes->'personasRescatadas'->>'mujeres')::bigint, 0) ELSE rescatadas_mujeres END,
                   rescatadas_hombres = CASE WHEN fixes ? 'personasRescatadas' THEN coalesce((fixes->'personasRescatadas'->>'hombres')::bigint, 0) ELSE rescatadas_hombres END,
                   rescatadas_otro = CASE WHEN fixes ? 'personasRescatadas' THEN coalesce((fixes->'personasRescatadas'->>'otro')::bigint, 0) ELSE rescatadas_otro END
             WHERE flujo = e.stream_id;
        ELSIF e.payload->'registro'->>'tipo' = 'CapacitacionImpartida' THEN
            UPDATE capacitaciones SET
                   anio = CASE WHEN fixes ? 'fechaDeInicio' THEN extract(year FROM (fixes->>'fechaDeInicio')::date)::integer ELSE anio END,
                   entidad = CASE WHEN fixes ? 'lugar' THEN entidad_de(fixes->'lugar') ELSE entidad END,
                   tipo_de_evento = coalesce(fixes->>'tipoDeEvento', tipo_de_evento),
                   poblaciones = CASE WHEN fixes ? 'poblacionesObjetivo' THEN codigos(fixes->'poblacionesObjetivo') ELSE poblaciones END,
                   participantes = coalesce((fixes->>'totalDeParticipantes')::bigint, participantes),
                   mujeres = CASE WHEN fixes ? 'participantesPorSexo' THEN coalesce((fixes->'participantesPorSexo'->>'mujeres')::bigint, 0) ELSE mujeres END,
                   hombres = CASE WHEN fixes ? 'participantesPorSexo' THEN coalesce((fixes->'participantesPorSexo'->>'hombres')::bigint, 0) ELSE hombres END,
                   otro = CASE WHEN fixes ? 'participantesPorSexo' THEN coalesce((fixes->'participantesPorSexo'->>'otro')::bigint, 0) ELSE otro END
             WHERE flujo = e.stream_id;
        ELSIF e.payload->'registro'->>'tipo' = 'AccionDeDifusionRealizada' THEN
            UPDATE difusion SET
                   anio = CASE WHEN fixes ? 'fecha' THEN extract(year FROM (fixes->>'fecha')::date)::integer ELSE anio END,
                   entidad = CASE WHEN fixes ? 'lugar' THEN entidad_de(fixes->'lugar') ELSE entidad END,
                   tipo_de_accion = coalesce(fixes->>'tipoDeAccion', tipo_de_accion)
             WHERE flujo = e.stream_id;
        END IF;
    END LOOP;
END $$;
