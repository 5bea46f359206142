-- +goose Up
CREATE TABLE role (
    id             INTEGER PRIMARY KEY,
    uuid           UUID NOT NULL UNIQUE,
    nombre         VARCHAR(50) NOT NULL UNIQUE,
    descripcion    VARCHAR(200),
    estado         BOOLEAN NOT NULL DEFAULT TRUE,
    id_user_create BIGINT,
    id_user_update BIGINT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Ids decide authorization (1 admin, 2 lider, 3 user); names are display data.
-- The admin and user UUIDs are the ones seed 003's Ambrosia examples use.
INSERT INTO role (id, uuid, nombre, descripcion) VALUES
    (1, '262006ea-8782-4b08-ac3b-b3f13270fec3', 'admin', 'Administrador con acceso total'),
    (2, '5b0f2c1e-6a43-4c8e-9d55-2f7e8a1c3b90', 'lider', 'Encargado de tienda'),
    (3, 'e7349203-1bdf-4d8a-8a83-0f5dccb23e1b', 'user',  'Cajero estándar');

-- +goose Down
DROP TABLE role;
