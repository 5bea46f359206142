-- +goose Up
-- Mobile top-ups (SPEC §14.5): the shop's balance with each operator, the
-- top-ups sold to customers (cash in, operator balance out) and the
-- injections bought from operators (cash out, balance + commission in).
-- Money is INTEGER centavos; comision_porcentaje is INTEGER hundredths of a
-- percent (1250 = 12.50%), which money.Cents scans on both databases.
CREATE TABLE operadoras_saldos (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    nombre_operadora    TEXT     NOT NULL UNIQUE CHECK (nombre_operadora IN ('Tigo', 'Entel', 'Viva')),
    saldo_actual        INTEGER  NOT NULL DEFAULT 0 CHECK (saldo_actual >= 0),
    comision_porcentaje INTEGER  NOT NULL DEFAULT 0 CHECK (comision_porcentaje >= 0 AND comision_porcentaje <= 10000),
    estado              BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create      INTEGER,
    id_user_update      INTEGER,
    created_at          DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at          DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
INSERT INTO operadoras_saldos (nombre_operadora) VALUES ('Tigo');
INSERT INTO operadoras_saldos (nombre_operadora) VALUES ('Entel');
INSERT INTO operadoras_saldos (nombre_operadora) VALUES ('Viva');

CREATE TABLE recargas_clientes (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    operadora          TEXT     NOT NULL CHECK (operadora IN ('Tigo', 'Entel', 'Viva')),
    numero_cliente     TEXT     NOT NULL CHECK (length(numero_cliente) = 8 AND numero_cliente NOT GLOB '*[^0-9]*'),
    monto              INTEGER  NOT NULL CHECK (monto > 0),
    fecha_hora         DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    id_caja_sesion     INTEGER  NOT NULL REFERENCES sesiones_caja (id),
    id_movimiento_caja INTEGER  NOT NULL REFERENCES movimientos_caja (id),
    estado             BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create     INTEGER,
    id_user_update     INTEGER,
    created_at         DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at         DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
-- monto rides along so the dashboard's sums by day and month are index-only.
CREATE INDEX recargas_clientes_fecha_idx ON recargas_clientes (fecha_hora, operadora, monto) WHERE estado;
CREATE INDEX recargas_clientes_sesion_idx ON recargas_clientes (id_caja_sesion) WHERE estado;

CREATE TABLE inyecciones_operadoras (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    operadora_destino  TEXT     NOT NULL CHECK (operadora_destino IN ('Tigo', 'Entel', 'Viva')),
    monto              INTEGER  NOT NULL CHECK (monto > 0),
    comision           INTEGER  NOT NULL DEFAULT 0 CHECK (comision >= 0),
    monto_acreditado   INTEGER  NOT NULL,
    fecha_hora         DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    id_caja_origen     INTEGER  NOT NULL REFERENCES sesiones_caja (id),
    id_movimiento_caja INTEGER  NOT NULL REFERENCES movimientos_caja (id),
    estado             BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create     INTEGER,
    id_user_update     INTEGER,
    created_at         DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at         DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT inyecciones_operadoras_acreditado CHECK (monto_acreditado = monto + comision)
);
CREATE INDEX inyecciones_operadoras_fecha_idx ON inyecciones_operadoras (fecha_hora, comision) WHERE estado;
CREATE INDEX inyecciones_operadoras_sesion_idx ON inyecciones_operadoras (id_caja_origen) WHERE estado;

-- +goose Down
DROP TABLE inyecciones_operadoras;
DROP TABLE recargas_clientes;
DROP TABLE operadoras_saldos;
