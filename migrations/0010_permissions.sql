-- Who may do what, and over which records: one row per (rol, accion), with the widest alcance that
-- role has for that action. This table is the whole policy (Sources/Accounts/Authorizer.swift only
-- reads it), so an auditor can read it here; the application role may read it and nothing else.
-- It changes only through a new migration, reviewed like code and recorded in sintra_migrations.
--
-- Alcances, from narrowest to widest, each including the ones before it:
--   propios     records the user recorded (for an account: the user's own account);
--   institucion records of the user's institution, and cases referred to it whose person consented to sharing;
--   entidad     also records of the user's entidad federativa (for a case: where it was detected);
--   nacional    every record.
-- requiere_motivo: the action is allowed only when the request states why (it is kept with the access).
CREATE TABLE permisos (
    rol              text    NOT NULL CHECK (rol IN ('capturista', 'supervisor-institucional', 'enlace-estatal',
                                                     'secretaria-tecnica', 'auditor', 'administrador')),
    accion           text    NOT NULL CHECK (accion IN ('capturar', 'validar', 'registrar-consentimiento', 'vincular-expedientes',
                                                        'borrar-datos-personales', 'registrar-hechos-del-programa',
                                                        'registrar-comisiones', 'leer-expedientes', 'leer-datos-personales',
                                                        'leer-indicadores', 'publicar', 'leer-historial', 'administrar-cuentas',
                                                        'leer-cuentas', 'cambiar-contrasena')),
    alcance          text    NOT NULL CHECK (alcance IN ('propios', 'institucion', 'entidad', 'nacional')),
    requiere_motivo  boolean NOT NULL DEFAULT false,
    explicacion      text    NOT NULL,
    PRIMARY KEY (rol, accion)
);

INSERT INTO permisos (rol, accion, alcance, requiere_motivo, explicacion) VALUES
-- Capturista: records and reads the cases of their institution and those referred to it with consent.
('capturista', 'capturar',                  'institucion', false, 'Registra personas, atenciones y demás registros de los módulos en nombre de su institución.'),
('capturista', 'registrar-consentimiento',  'institucion', false, 'Registra la decisión de la persona sobre compartir sus datos.'),
('capturista', 'leer-expedientes',          'institucion', false, 'Consulta los expedientes de su institución y los canalizados a ella con consentimiento.'),
('capturista', 'leer-datos-personales',     'institucion', false, 'Ve los datos personales de esos mismos expedientes, que atiende.'),
('capturista', 'leer-indicadores',          'nacional',    false, 'Los indicadores no contienen datos personales.'),
('capturista', 'cambiar-contrasena',        'propios',     false, 'Cambia su propia contraseña.'),
-- Supervisor institucional: the capturista's work plus validation, linking and erasure in their institution.
('supervisor-institucional', 'capturar',                 'institucion', false, 'Registra y corrige registros de su institución.'),
('supervisor-institucional', 'validar',                  'institucion', false, 'Valida los expedientes que registró su institución.'),
('supervisor-institucional', 'registrar-consentimiento', 'institucion', false, 'Registra la decisión de la persona sobre compartir sus datos.'),
('supervisor-institucional', 'vincular-expedientes',     'institucion', false, 'Decide si dos expedientes son la misma persona.'),
('supervisor-institucional', 'borrar-datos-personales',  'institucion', false, 'Ejecuta el borrado ordenado por autoridad o por cancelación ARCO.'),
('supervisor-institucional', 'leer-expedientes',         'institucion', false, 'Consulta los expedientes de su institución y los canalizados a ella con consentimiento.'),
('supervisor-institucional', 'leer-datos-personales',    'institucion', false, 'Ve los datos personales de esos mismos expedientes.'),
('supervisor-institucional', 'leer-indicadores',         'nacional',    false, 'Los indicadores no contienen datos personales.'),
('supervisor-institucional', 'leer-cuentas',             'institucion', false, 'Conoce las cuentas y roles de su institución.'),
('supervisor-institucional', 'cambiar-contrasena',       'propios',     false, 'Cambia su propia contraseña.'),
-- Enlace estatal (CIES): the commission's agreements and a non-personal view of their entidad.
('enlace-estatal', 'capturar',             'institucion', false, 'Registra las actividades de su comisión (capacitación, difusión, convenios…).'),
('enlace-estatal', 'registrar-comisiones', 'entidad',     false, 'Registra las sesiones y acuerdos de la comisión de su entidad y su seguimiento.'),
('enlace-estatal', 'leer-expedientes',     'entidad',     false, 'Consulta sin datos personales los expedientes de su entidad.'),
('enlace-estatal', 'leer-indicadores',     'nacional',    false, 'Los indicadores no contienen datos personales.'),
('enlace-estatal', 'cambiar-contrasena',   'propios',     false, 'Cambia su propia contraseña.'),
-- Secretaría Técnica: national non-personal data, the programme's facts and publications.
('secretaria-tecnica', 'capturar',                      'institucion', false, 'Registra las actividades de la propia Secretaría Técnica.'),
('secretaria-tecnica', 'registrar-hechos-del-programa', 'nacional',    false, 'Registra valores programados, universos e informes del PNTdP.'),
('secretaria-tecnica', 'registrar-comisiones',          'nacional',    false, 'Registra sesiones y acuerdos de la Comisión Intersecretarial y de las CIES.'),
('secretaria-tecnica', 'leer-expedientes',              'nacional',    false, 'Consulta sin datos personales los expedientes de todo el país.'),
('secretaria-tecnica', 'leer-indicadores',              'nacional',    false, 'Calcula y revisa los indicadores.'),
('secretaria-tecnica', 'publicar',                      'nacional',    false, 'Adopta fichas y publica cifras.'),
('secretaria-tecnica', 'cambiar-contrasena',            'propios',     false, 'Cambia su propia contraseña.'),
-- Auditor: reads everything, the full history included; personal fields only stating a reason.
('auditor', 'leer-expedientes',      'nacional', false, 'Consulta todos los expedientes sin datos personales.'),
('auditor', 'leer-datos-personales', 'nacional', true,  'Ve datos personales de cualquier expediente solo declarando el motivo de cada consulta.'),
('auditor', 'leer-historial',        'nacional', false, 'Lee el registro completo de eventos, verifica la cadena y consulta cifras a una fecha pasada.'),
('auditor', 'leer-indicadores',      'nacional', false, 'Revisa los indicadores y su procedencia.'),
('auditor', 'leer-cuentas',          'nacional', false, 'Revisa cuentas, roles y esta tabla de permisos.'),
('auditor', 'cambiar-contrasena',    'propios',  false, 'Cambia su propia contraseña.'),
-- Administrador: accounts only; no case data (separation of duties).
('administrador', 'administrar-cuentas', 'nacional', false, 'Da de alta instituciones y cuentas, cambia roles, suspende, reactiva y asigna contraseñas.'),
('administrador', 'leer-cuentas',        'nacional', false, 'Consulta cuentas, roles y esta tabla de permisos.'),
('administrador', 'leer-indicadores',    'nacional', false, 'Los indicadores no contienen datos personales.'),
('administrador', 'cambiar-contrasena',  'propios',  false, 'Cambia su propia contraseña.');

REVOKE ALL ON permisos FROM PUBLIC;
GRANT SELECT ON permisos TO sintra_app;
