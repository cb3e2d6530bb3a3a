-- Annulling a module's record (`anular-registro`, event RegistroAnulado) is an action of its own in
-- the policy: a record that leaves every indicator and statistic is a supervisor's decision, not
-- a capturista's. Correcting one (`corregir-registro`) is `capturar`, like recording it.
ALTER TABLE permisos DROP CONSTRAINT permisos_accion_check;
ALTER TABLE permisos ADD CONSTRAINT permisos_accion_check
    CHECK (accion IN ('capturar', 'validar', 'registrar-consentimiento', 'vincular-expedientes',
                      'borrar-datos-personales', 'registrar-hechos-del-programa',
                      'registrar-comisiones', 'leer-expedientes', 'leer-datos-personales',
                      'leer-indicadores', 'publicar', 'leer-historial', 'administrar-cuentas',
                      'leer-cuentas', 'cambiar-contrasena', 'anular-registros'));

INSERT INTO permisos (rol, accion, alcance, requiere_motivo, explicacion) VALUES
('supervisor-institucional', 'anular-registros', 'institucion', false, 'Anula, con motivo, los registros de los módulos que hizo su institución (duplicados, capturados por error).'),
('enlace-estatal',           'anular-registros', 'institucion', false, 'Anula, con motivo, los registros de las actividades de su comisión.'),
('secretaria-tecnica',       'anular-registros', 'institucion', false, 'Anula, con motivo, los registros de la propia Secretaría Técnica, como los hechos del programa.');
