-- +goose Up
CREATE TABLE ciudad (
    ct_codigo  TEXT PRIMARY KEY CHECK (length(ct_codigo) <= 10),
    nombre     TEXT NOT NULL,
    provincia  TEXT NOT NULL,
    pais       TEXT NOT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- The capitals of Ecuador's 24 provinces and Bolivia's 9 departments.
INSERT INTO ciudad (ct_codigo, nombre, provincia, pais) VALUES
    ('AMB001', 'Ambato', 'Tungurahua', 'Ecuador'),
    ('AZO001', 'Azogues', 'Cañar', 'Ecuador'),
    ('BAB001', 'Babahoyo', 'Los Ríos', 'Ecuador'),
    ('CUE001', 'Cuenca', 'Azuay', 'Ecuador'),
    ('ESM001', 'Esmeraldas', 'Esmeraldas', 'Ecuador'),
    ('GRD001', 'Guaranda', 'Bolívar', 'Ecuador'),
    ('GYE001', 'Guayaquil', 'Guayas', 'Ecuador'),
    ('IBR001', 'Ibarra', 'Imbabura', 'Ecuador'),
    ('LTG001', 'Latacunga', 'Cotopaxi', 'Ecuador'),
    ('LOJ001', 'Loja', 'Loja', 'Ecuador'),
    ('MAC001', 'Macas', 'Morona Santiago', 'Ecuador'),
    ('MCH001', 'Machala', 'El Oro', 'Ecuador'),
    ('NLJ001', 'Nueva Loja', 'Sucumbíos', 'Ecuador'),
    ('COC001', 'Puerto Francisco de Orellana', 'Orellana', 'Ecuador'),
    ('PBM001', 'Puerto Baquerizo Moreno', 'Galápagos', 'Ecuador'),
    ('POR001', 'Portoviejo', 'Manabí', 'Ecuador'),
    ('PUY001', 'Puyo', 'Pastaza', 'Ecuador'),
    ('RIO001', 'Riobamba', 'Chimborazo', 'Ecuador'),
    ('STE001', 'Santa Elena', 'Santa Elena', 'Ecuador'),
    ('STD001', 'Santo Domingo', 'Santo Domingo de los Tsáchilas', 'Ecuador'),
    ('TEN001', 'Tena', 'Napo', 'Ecuador'),
    ('TUL001', 'Tulcán', 'Carchi', 'Ecuador'),
    ('UIO001', 'Quito', 'Pichincha', 'Ecuador'),
    ('ZAM001', 'Zamora', 'Zamora Chinchipe', 'Ecuador'),
    ('CBB001', 'Cochabamba', 'Cochabamba', 'Bolivia'),
    ('CIJ001', 'Cobija', 'Pando', 'Bolivia'),
    ('LPZ001', 'La Paz', 'La Paz', 'Bolivia'),
    ('ORU001', 'Oruro', 'Oruro', 'Bolivia'),
    ('PTS001', 'Potosí', 'Potosí', 'Bolivia'),
    ('SCZ001', 'Santa Cruz', 'Santa Cruz', 'Bolivia'),
    ('SRE001', 'Sucre', 'Chuquisaca', 'Bolivia'),
    ('TJA001', 'Tarija', 'Tarija', 'Bolivia'),
    ('TDD001', 'Trinidad', 'Beni', 'Bolivia');

-- cli_codigo numbers: a counter bumped inside the creating write
-- transaction (BEGIN IMMEDIATE serialises writers); it only grows, so codes
-- are never reused.
CREATE TABLE cliente_codigo_seq (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO cliente_codigo_seq (name, value) VALUES ('cliente', 0);

CREATE TABLE cliente (
    cli_codigo      TEXT     PRIMARY KEY CHECK (cli_codigo GLOB 'CLI[0-9][0-9][0-9]*'),
    ct_codigo       TEXT     NOT NULL REFERENCES ciudad (ct_codigo),
    cli_nombre      TEXT     NOT NULL CHECK (length(cli_nombre) <= 120),
    -- lower-case, accents stripped, maintained by the application
    cli_nombre_norm TEXT     NOT NULL,
    cli_ruc_ced     TEXT     NOT NULL CHECK (length(cli_ruc_ced) <= 13 AND cli_ruc_ced NOT GLOB '*[^0-9]*'),
    cli_telefono    TEXT     NOT NULL CHECK (length(cli_telefono) <= 10),
    cli_mail        TEXT     NOT NULL CHECK (length(cli_mail) <= 60),
    cli_direccion   TEXT     CHECK (length(cli_direccion) <= 200),
    cli_celular     TEXT     CHECK (length(cli_celular) <= 10),
    cli_estado      TEXT     NOT NULL DEFAULT 'ACT' CHECK (cli_estado IN ('ACT', 'INA', 'SUS')),
    cli_fecha_alta  DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    cli_fecha_baja  DATETIME,
    created_at      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
-- One live customer per identification; inactive ones do not count.
CREATE UNIQUE INDEX cliente_ruc_ced_activo_key ON cliente (cli_ruc_ced) WHERE cli_estado <> 'INA';
CREATE INDEX cliente_activo_nombre_idx ON cliente (cli_nombre, cli_codigo) WHERE cli_estado = 'ACT';
CREATE INDEX cliente_nombre_norm_idx ON cliente (cli_nombre_norm, cli_codigo) WHERE cli_estado <> 'INA';
CREATE INDEX cliente_ct_codigo_idx ON cliente (ct_codigo);

-- Substring search: an FTS5 trigram index of the normalised name. Its rowid
-- is the number of the code (CLI042 -> 42), stable and unique, unlike the
-- implicit rowid of cliente, which VACUUM may renumber.
CREATE VIRTUAL TABLE cliente_fts USING fts5(cli_nombre_norm, cli_codigo UNINDEXED, tokenize = 'trigram');

-- +goose StatementBegin
CREATE TRIGGER cliente_fts_insert AFTER INSERT ON cliente BEGIN
    INSERT INTO cliente_fts (rowid, cli_nombre_norm, cli_codigo)
    VALUES (CAST(substr(new.cli_codigo, 4) AS INTEGER), new.cli_nombre_norm, new.cli_codigo);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cliente_fts_update AFTER UPDATE OF cli_nombre_norm ON cliente BEGIN
    UPDATE cliente_fts SET cli_nombre_norm = new.cli_nombre_norm
    WHERE rowid = CAST(substr(old.cli_codigo, 4) AS INTEGER);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cliente_fts_delete AFTER DELETE ON cliente BEGIN
    DELETE FROM cliente_fts WHERE rowid = CAST(substr(old.cli_codigo, 4) AS INTEGER);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER cliente_fts_delete;
DROP TRIGGER cliente_fts_update;
DROP TRIGGER cliente_fts_insert;
DROP TABLE cliente_fts;
DROP TABLE cliente;
DROP TABLE cliente_codigo_seq;
DROP TABLE ciudad;
