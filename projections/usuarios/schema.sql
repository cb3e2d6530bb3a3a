-- Tables of the `usuarios` projection, created in the projection's own schema (search_path).
-- No personal data: see projection.json. Credentials and tokens are not here either: they live in
-- the mutable tables of migration 0009, outside the log.

CREATE TABLE instituciones (
    clave              text   PRIMARY KEY,
    nombre             text   NOT NULL,
    nivel_de_gobierno  text   NOT NULL,
    entidad            text,
    municipio          text,
    fecha_registro     date   NOT NULL,
    posicion           bigint NOT NULL
);
CREATE INDEX instituciones_entidad ON instituciones (entidad);

CREATE TABLE usuarios (
    usuario                 text    PRIMARY KEY,          -- the account's stream id (usuario-<uuid>), never a login
    institucion             text    NOT NULL,
    roles                   text[]  NOT NULL,
    activo                  boolean NOT NULL DEFAULT true,
    fecha_registro          date    NOT NULL,
    suspendida_desde        date,
    contrasena_establecida  date,
    version                 bigint  NOT NULL,
    posicion_registro       bigint  NOT NULL,
    ultima_posicion         bigint  NOT NULL
);
CREATE INDEX usuarios_institucion ON usuarios (institucion);
