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
                      'AtencionOtorgada', 'OperativoRealizado', 'CapacitacionImpartida', 'AccionDeDifusionRealizada');

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

INSERT INTO operativos (posicion, anio, entidad, tipo_de_lugar, rescatadas_mujeres, rescatadas_hombres, rescatadas_otro)
SELECT position, extract(year FROM (payload->>'fecha')::date)::integer, entidad_de(payload->'lugar'), payload->>'tipoDeLugar',
       coalesce((payload->'personasRescatadas'->>'mujeres')::bigint, 0), coalesce((payload->'personasRescatadas'->>'hombres')::bigint, 0),
       coalesce((payload->'personasRescatadas'->>'otro')::bigint, 0)
  FROM lote WHERE event_type = 'OperativoRealizado';

INSERT INTO capacitaciones (posicion, anio, entidad, tipo_de_evento, poblaciones, participantes, mujeres, hombres, otro)
SELECT position, extract(year FROM (payload->>'fechaDeInicio')::date)::integer, entidad_de(payload->'lugar'), payload->>'tipoDeEvento',
       codigos(payload->'poblacionesObjetivo'), (payload->>'totalDeParticipantes')::bigint,
       coalesce((payload->'participantesPorSexo'->>'mujeres')::bigint, 0), coalesce((payload->'participantesPorSexo'->>'hombres')::bigint, 0),
       coalesce((payload->'participantesPorSexo'->>'otro')::bigint, 0)
  FROM lote WHERE event_type = 'CapacitacionImpartida';

INSERT INTO difusion (posicion, anio, entidad, tipo_de_accion)
SELECT position, extract(year FROM (payload->>'fecha')::date)::integer, entidad_de(payload->'lugar'), payload->>'tipoDeAccion'
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
