-- +goose Up
-- Counted lines per local calendar year and product (the dashboard's "top
-- five products of the year" reads ≈ one row per product instead of twelve,
-- SPEC §14.3/§14.4). Kept in the same transactions as resumen_producto_mes,
-- and equal to its sums per year: filled here from it, so an existing
-- database needs no `kantuta reportes rebuild`.
CREATE TABLE resumen_producto_anio (
    anio        INTEGER NOT NULL,
    id_producto INTEGER NOT NULL,
    cantidad    INTEGER NOT NULL DEFAULT 0,
    importe     INTEGER NOT NULL DEFAULT 0,
    costo       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (anio, id_producto)
);
INSERT INTO resumen_producto_anio (anio, id_producto, cantidad, importe, costo)
SELECT CAST(substr(mes, 1, 4) AS INTEGER), id_producto, SUM(cantidad), SUM(importe), SUM(costo)
FROM resumen_producto_mes GROUP BY CAST(substr(mes, 1, 4) AS INTEGER), id_producto;

-- +goose Down
DROP TABLE resumen_producto_anio;
