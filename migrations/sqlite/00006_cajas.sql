-- +goose Up
-- Cash drawers, their sessions and cash movements (SPEC §13.1). Written
-- before inventario and ventas because compras and ventas reference
-- sesiones_caja. Money is INTEGER centavos.
CREATE TABLE cajas (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    nombre         TEXT     NOT NULL CHECK (length(nombre) <= 100),
    especialidad   TEXT     NOT NULL DEFAULT 'MIXTA'
                   CHECK (especialidad IN ('SOLO_VENTAS', 'SOLO_AGENTES', 'MIXTA')),
    saldo          INTEGER  NOT NULL DEFAULT 0 CHECK (saldo >= 0),
    estado         BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create INTEGER,
    id_user_update INTEGER,
    created_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE sesiones_caja (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    id_caja             INTEGER  NOT NULL REFERENCES cajas (id),
    id_usuario          INTEGER  NOT NULL REFERENCES usuario (id),
    monto_inicial       INTEGER  NOT NULL CHECK (monto_inicial >= 0),
    monto_final_teorico INTEGER,
    monto_final_real    INTEGER,
    diferencia          INTEGER,
    estado_sesion       TEXT     NOT NULL DEFAULT 'ABIERTA' CHECK (estado_sesion IN ('ABIERTA', 'CERRADA')),
    fecha_apertura      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    fecha_cierre        DATETIME,
    estado              BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create      INTEGER,
    id_user_update      INTEGER,
    created_at          DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at          DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT sesiones_caja_cierre CHECK ((estado_sesion = 'ABIERTA') = (fecha_cierre IS NULL))
);
CREATE UNIQUE INDEX sesiones_caja_abierta_usuario ON sesiones_caja (id_usuario) WHERE estado_sesion = 'ABIERTA' AND estado;
CREATE UNIQUE INDEX sesiones_caja_abierta_caja ON sesiones_caja (id_caja) WHERE estado_sesion = 'ABIERTA' AND estado;
CREATE INDEX sesiones_caja_id_caja_idx ON sesiones_caja (id_caja) WHERE estado;

CREATE TABLE movimientos_caja (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    id_sesion_caja INTEGER  NOT NULL REFERENCES sesiones_caja (id),
    tipo           TEXT     NOT NULL CHECK (tipo IN ('INGRESO', 'EGRESO')),
    monto          INTEGER  NOT NULL CHECK (monto > 0),
    motivo         TEXT     NOT NULL CHECK (length(motivo) <= 255),
    origen         TEXT     NOT NULL DEFAULT 'MANUAL' CHECK (origen IN ('MANUAL', 'COMPRA', 'RECARGA', 'INYECCION')),
    fecha          DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    estado         BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create INTEGER,
    id_user_update INTEGER,
    created_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX movimientos_caja_sesion_idx ON movimientos_caja (id_sesion_caja, fecha, id) WHERE estado;

-- +goose Down
DROP TABLE movimientos_caja;
DROP TABLE sesiones_caja;
DROP TABLE cajas;
