-- Applies positions (sintra.desde, sintra.hasta] to the `usuarios` projection's tables. Registrations are inserted
-- set-based; the rare changes are applied one by one in log order, because order decides them
-- (a suspension then a reactivation). Personal fields (nombre, usuario, correo, motivo) are never read.

CREATE TEMP TABLE lote_usuarios ON COMMIT DROP AS
SELECT position, stream_id, version, event_type, payload
  FROM public.events
 WHERE position > current_setting('sintra.desde')::bigint
   AND position <= current_setting('sintra.hasta')::bigint
   AND stream_type IN ('Institucion', 'Usuario');

INSERT INTO instituciones (clave, nombre, nivel_de_gobierno, entidad, municipio, fecha_registro, posicion)
SELECT payload->>'clave', payload->>'nombre', payload->>'nivelDeGobierno', payload->>'entidad', payload->>'municipio',
       (payload->>'fecha')::date, position
  FROM lote_usuarios WHERE event_type = 'InstitucionRegistrada';

INSERT INTO usuarios (usuario, institucion, roles, fecha_registro, version, posicion_registro, ultima_posicion)
SELECT stream_id, payload->>'institucion', ARRAY(SELECT jsonb_array_elements_text(payload->'roles')),
       (payload->>'fecha')::date, version, position, position
  FROM lote_usuarios WHERE event_type = 'UsuarioRegistrado';

DO $$
DECLARE
    e record;
BEGIN
    FOR e IN SELECT * FROM lote_usuarios
              WHERE event_type IN ('RolesDeUsuarioCambiados', 'InstitucionDeUsuarioCambiada', 'UsuarioSuspendido',
                                   'UsuarioReactivado', 'ContrasenaEstablecida')
              ORDER BY position
    LOOP
        CASE e.event_type
        WHEN 'RolesDeUsuarioCambiados' THEN
            UPDATE usuarios SET roles = ARRAY(SELECT jsonb_array_elements_text(e.payload->'roles')) WHERE usuario = e.stream_id;
        WHEN 'InstitucionDeUsuarioCambiada' THEN
            UPDATE usuarios SET institucion = e.payload->>'institucion' WHERE usuario = e.stream_id;
        WHEN 'UsuarioSuspendido' THEN
            UPDATE usuarios SET activo = false, suspendida_desde = (e.payload->>'fecha')::date WHERE usuario = e.stream_id;
        WHEN 'UsuarioReactivado' THEN
            UPDATE usuarios SET activo = true, suspendida_desde = NULL WHERE usuario = e.stream_id;
        WHEN 'ContrasenaEstablecida' THEN
            UPDATE usuarios SET contrasena_establecida = (e.payload->>'fecha')::date WHERE usuario = e.stream_id;
        END CASE;
        UPDATE usuarios SET version = e.version, ultima_posicion = e.position WHERE usuario = e.stream_id;
    END LOOP;
END
$$;
