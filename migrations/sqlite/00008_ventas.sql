-- +goose Up
-- Ventas and their lines (SPEC §13.1), and the report aggregates of §14.4,
-- kept in the same transactions as the ventas that change them. Money is
-- INTEGER centavos.
CREATE TABLE venta (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    id_sesion_caja INTEGER  NOT NULL REFERENCES sesiones_caja (id),
    total          INTEGER  NOT NULL CHECK (total >= 0),
    metodo_pago    TEXT     NOT NULL CHECK (metodo_pago IN ('EFECTIVO', 'QR', 'TRANSFERENCIA')),
    monto_recibido INTEGER,
    cambio         INTEGER  CHECK (cambio >= 0),
    estado_venta   TEXT     NOT NULL DEFAULT 'COMPLETADA' CHECK (estado_venta IN ('COMPLETADA', 'ANULADA', 'EDITADA')),
    motivo_edicion TEXT     CHECK (length(motivo_edicion) <= 500),
    fecha          DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    estado         BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create INTEGER,
    id_user_update INTEGER,
    created_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT venta_cambio CHECK ((monto_recibido IS NULL) = (cambio IS NULL))
);
CREATE INDEX venta_sesion_idx ON venta (id_sesion_caja) WHERE estado;
CREATE INDEX venta_fecha_idx ON venta (fecha, id) WHERE estado;
CREATE INDEX venta_usuario_fecha_idx ON venta (id_user_create, fecha) WHERE estado;

CREATE TABLE detalles_venta (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    id_venta        INTEGER  NOT NULL REFERENCES venta (id),
    id_producto     INTEGER  NOT NULL REFERENCES producto (id),
    cantidad        INTEGER  NOT NULL CHECK (cantidad > 0),
    precio_unitario INTEGER  NOT NULL CHECK (precio_unitario >= 0),
    costo_unitario  INTEGER  NOT NULL CHECK (costo_unitario >= 0),
    subtotal        INTEGER  NOT NULL CHECK (subtotal = cantidad * precio_unitario),
    estado          BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create  INTEGER,
    id_user_update  INTEGER,
    created_at      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX detalles_venta_venta_idx ON detalles_venta (id_venta) WHERE estado;

CREATE TABLE resumen_ventas_dia (
    dia         TEXT    NOT NULL,
    id_caja     INTEGER NOT NULL,
    id_usuario  INTEGER NOT NULL,
    metodo_pago TEXT    NOT NULL,
    total       INTEGER NOT NULL DEFAULT 0,
    n           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dia, id_caja, id_usuario, metodo_pago)
);

CREATE TABLE resumen_producto_mes (
    mes         TEXT    NOT NULL,
    id_producto INTEGER NOT NULL,
    cantidad    INTEGER NOT NULL DEFAULT 0,
    importe     INTEGER NOT NULL DEFAULT 0,
    costo       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (mes, id_producto)
);

-- +goose Down
DROP TABLE resumen_producto_mes;
DROP TABLE resumen_ventas_dia;
DROP TABLE detalles_venta;
DROP TABLE venta;
