-- +goose Up
-- Inventario, compras, stock movements and notification contacts (SPEC
-- §12.1). Money is INTEGER centavos. Names are unique among active rows
-- only (partial indexes), on nombre_key = lower(trim(nombre)) computed by
-- the application (SQLite's lower() is ASCII-only); nombre_norm
-- (lower-case, accents stripped) serves the ?q= search.
CREATE TABLE categoria (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    nombre         TEXT     NOT NULL CHECK (length(nombre) <= 100),
    nombre_key     TEXT     NOT NULL,
    estado         BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create INTEGER,
    id_user_update INTEGER,
    created_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE UNIQUE INDEX categoria_nombre_activo_key ON categoria (nombre_key) WHERE estado;
CREATE INDEX categoria_activo_idx ON categoria (id) WHERE estado;

CREATE TABLE producto (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    nombre            TEXT     NOT NULL CHECK (length(nombre) <= 150),
    nombre_key        TEXT     NOT NULL,
    nombre_norm       TEXT     NOT NULL,
    codigo_barras     TEXT     CHECK (length(codigo_barras) <= 64),
    precio_venta      INTEGER  NOT NULL DEFAULT 0 CHECK (precio_venta >= 0 AND precio_venta <= 999999999999),
    costo_compra      INTEGER  NOT NULL DEFAULT 0 CHECK (costo_compra >= 0 AND costo_compra <= 999999999999),
    stock_actual      INTEGER  NOT NULL DEFAULT 0 CHECK (stock_actual >= 0 AND stock_actual <= 2147483647),
    stock_minimo      INTEGER  NOT NULL DEFAULT 3 CHECK (stock_minimo >= 0 AND stock_minimo <= 2147483647),
    id_categoria      INTEGER  NOT NULL REFERENCES categoria (id),
    alerta_stock_bajo BOOLEAN  NOT NULL DEFAULT FALSE,
    estado            BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create    INTEGER,
    id_user_update    INTEGER,
    created_at        DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at        DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE UNIQUE INDEX producto_nombre_activo_key ON producto (nombre_key) WHERE estado;
CREATE UNIQUE INDEX producto_codigo_barras_activo_key ON producto (codigo_barras) WHERE estado AND codigo_barras IS NOT NULL;
CREATE INDEX producto_activo_idx ON producto (id) WHERE estado;
CREATE INDEX producto_categoria_idx ON producto (id_categoria) WHERE estado;

CREATE TABLE compra (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    total           INTEGER  NOT NULL CHECK (total >= 0 AND total <= 999999999999),
    proveedor       TEXT     CHECK (length(proveedor) <= 150),
    pagado_con_caja BOOLEAN  NOT NULL DEFAULT FALSE,
    id_sesion_caja  INTEGER  REFERENCES sesiones_caja (id),
    fecha           DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    estado          BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create  INTEGER,
    id_user_update  INTEGER,
    created_at      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT compra_pago_caja CHECK (pagado_con_caja = (id_sesion_caja IS NOT NULL))
);
CREATE INDEX compra_fecha_idx ON compra (fecha) WHERE estado;
CREATE INDEX compra_activo_idx ON compra (id) WHERE estado;

CREATE TABLE detalle_compra (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    id_compra      INTEGER  NOT NULL REFERENCES compra (id),
    id_producto    INTEGER  NOT NULL REFERENCES producto (id),
    cantidad       INTEGER  NOT NULL CHECK (cantidad > 0),
    costo_unitario INTEGER  NOT NULL CHECK (costo_unitario >= 0),
    subtotal       INTEGER  NOT NULL CHECK (subtotal = cantidad * costo_unitario AND subtotal <= 999999999999),
    estado         BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create INTEGER,
    id_user_update INTEGER,
    created_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX detalle_compra_compra_idx ON detalle_compra (id_compra);

-- Every stock change, signed: per product, stock_actual = SUM(cantidad).
CREATE TABLE movimiento_stock (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    id_producto      INTEGER  NOT NULL REFERENCES producto (id),
    tipo             TEXT     NOT NULL CHECK (tipo IN ('ALTA', 'AJUSTE', 'COMPRA', 'VENTA', 'ANULACION')),
    cantidad         INTEGER  NOT NULL CHECK (cantidad <> 0),
    stock_resultante INTEGER  NOT NULL CHECK (stock_resultante >= 0),
    id_referencia    INTEGER,
    id_user_create   INTEGER,
    created_at       DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX movimiento_stock_producto_idx ON movimiento_stock (id_producto, id);

CREATE TABLE notificacion_contacto (
    id                 TEXT     PRIMARY KEY CHECK (length(id) = 36),
    nombre             TEXT     NOT NULL CHECK (length(nombre) <= 100),
    codigo_pais        TEXT     NOT NULL DEFAULT '591' CHECK (length(codigo_pais) BETWEEN 1 AND 5 AND codigo_pais NOT GLOB '*[^0-9]*'),
    telefono           TEXT     NOT NULL CHECK (length(telefono) BETWEEN 6 AND 15 AND telefono NOT GLOB '*[^0-9]*'),
    email              TEXT     CHECK (length(email) <= 150),
    recibe_stock_bajo  BOOLEAN  NOT NULL DEFAULT TRUE,
    recibe_cierre_caja BOOLEAN  NOT NULL DEFAULT FALSE,
    activo             BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create     INTEGER,
    id_user_update     INTEGER,
    created_at         DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at         DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT notificacion_contacto_telefono_key UNIQUE (codigo_pais, telefono)
);

-- +goose Down
DROP TABLE notificacion_contacto;
DROP TABLE movimiento_stock;
DROP TABLE detalle_compra;
DROP TABLE compra;
DROP TABLE producto;
DROP TABLE categoria;
