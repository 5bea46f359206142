-- +goose Up
-- GET /api/pos/clientes/search?q= matches a whole phone number exactly;
-- without these a 10-digit term scans every customer.
CREATE INDEX cliente_telefono_idx ON cliente (cli_telefono) WHERE cli_estado <> 'INA';
CREATE INDEX cliente_celular_idx ON cliente (cli_celular) WHERE cli_estado <> 'INA';

-- +goose Down
DROP INDEX cliente_celular_idx;
DROP INDEX cliente_telefono_idx;
