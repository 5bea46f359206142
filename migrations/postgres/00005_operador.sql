-- +goose Up
-- Ambrosia POS operators (SPEC §6): name + PIN accounts served at /users.
-- name_key is the name trimmed and lower-cased by the application (Unicode
-- rules, the same on both dialects: SQLite's lower() only folds ASCII); it
-- is unique among operators that are not deleted, so a soft delete frees
-- the name.
CREATE TABLE operador (
    id            UUID         PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    name_key      VARCHAR(100) NOT NULL,
    pin_hash      VARCHAR(100) NOT NULL,
    id_role       INTEGER      NOT NULL DEFAULT 3 REFERENCES role (id),
    email         VARCHAR(150),
    phone         VARCHAR(30),
    token_version INTEGER      NOT NULL DEFAULT 0,
    deleted_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX operador_name_key_active ON operador (name_key) WHERE deleted_at IS NULL;
CREATE INDEX operador_id_role_idx ON operador (id_role) WHERE deleted_at IS NULL;

-- +goose Down
DROP TABLE operador;
