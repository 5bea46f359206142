-- +goose Up
-- Trigram search on the normalised name. The extension lives once per
-- database (normally in public); IF NOT EXISTS leaves an existing one alone.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE ciudad (
    ct_codigo  VARCHAR(10)  PRIMARY KEY,
    nombre     VARCHAR(100) NOT NULL,
    provincia  VARCHAR(100) NOT NULL,
    pais       VARCHAR(60)  NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ  NOT NULL DEFAULT now()
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

-- cli_codigo numbers: a sequence never hands a number out twice, even
-- across rolled-back transactions, so codes are never reused.
CREATE SEQUENCE cliente_codigo_seq AS BIGINT;

CREATE TABLE cliente (
    cli_codigo      VARCHAR(20)  PRIMARY KEY CHECK (cli_codigo ~ '^CLI[0-9]{3,}$'),
    ct_codigo       VARCHAR(10)  NOT NULL REFERENCES ciudad (ct_codigo),
    cli_nombre      VARCHAR(120) NOT NULL,
    -- lower-case, accents stripped, maintained by the application; "C"
    -- collation so that prefix ranges and ORDER BY use the btree index.
    cli_nombre_norm TEXT COLLATE "C" NOT NULL,
    cli_ruc_ced     VARCHAR(13)  NOT NULL CHECK (cli_ruc_ced ~ '^[0-9]+$'),
    cli_telefono    VARCHAR(10)  NOT NULL,
    cli_mail        VARCHAR(60)  NOT NULL,
    cli_direccion   VARCHAR(200),
    cli_celular     VARCHAR(10),
    cli_estado      VARCHAR(3)   NOT NULL DEFAULT 'ACT' CHECK (cli_estado IN ('ACT', 'INA', 'SUS')),
    cli_fecha_alta  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    cli_fecha_baja  TIMESTAMPTZ,
    created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ  NOT NULL DEFAULT now()
);
-- One live customer per identification; inactive ones do not count.
CREATE UNIQUE INDEX cliente_ruc_ced_activo_key ON cliente (cli_ruc_ced) WHERE cli_estado <> 'INA';
-- Listing and /type: active customers by name.
CREATE INDEX cliente_activo_nombre_idx ON cliente (cli_nombre, cli_codigo) WHERE cli_estado = 'ACT';
-- Search: prefix matches by range on the btree, substrings by trigrams.
CREATE INDEX cliente_nombre_norm_idx ON cliente (cli_nombre_norm, cli_codigo) WHERE cli_estado <> 'INA';
CREATE INDEX cliente_nombre_norm_trgm_idx ON cliente USING gin (cli_nombre_norm gin_trgm_ops) WHERE cli_estado <> 'INA';
-- Surnames: words 2–4 start with the term. Read in order and stopped after
-- ten rows, a common surname costs what a rare one does (trigrams would
-- collect every match first).
CREATE INDEX cliente_palabra2_idx ON cliente ((split_part(cli_nombre_norm, ' ', 2)), cli_codigo) WHERE cli_estado <> 'INA';
CREATE INDEX cliente_palabra3_idx ON cliente ((split_part(cli_nombre_norm, ' ', 3)), cli_codigo) WHERE cli_estado <> 'INA';
CREATE INDEX cliente_palabra4_idx ON cliente ((split_part(cli_nombre_norm, ' ', 4)), cli_codigo) WHERE cli_estado <> 'INA';
-- Terms with symbols (%, _, ., -) have no trigrams; the names they can
-- match all have a symbol, and those few names are indexed here.
CREATE INDEX cliente_simbolos_idx ON cliente (cli_nombre_norm, cli_codigo) WHERE cli_estado <> 'INA' AND cli_nombre_norm ~ '[^a-z0-9 ]';
CREATE INDEX cliente_ct_codigo_idx ON cliente (ct_codigo);

-- +goose Down
DROP TABLE cliente;
DROP SEQUENCE cliente_codigo_seq;
DROP TABLE ciudad;
