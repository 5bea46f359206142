-- +goose Up
-- Ambrosia POS operators (SPEC §6): name + PIN accounts served at /users.
-- name_key is the name trimmed and lower-cased by the application (Unicode
-- rules, the same on both dialects: SQLite's lower() only folds ASCII); it
-- is unique among operators that are not deleted, so a soft delete frees
-- the name.
CREATE TABLE operador (
    id            TEXT     PRIMARY KEY CHECK (length(id) = 36),
    name          TEXT     NOT NULL CHECK (length(name) <= 100),
    name_key      TEXT     NOT NULL CHECK (length(name_key) <= 100),
    pin_hash      TEXT     NOT NULL,
    id_role       INTEGER  NOT NULL DEFAULT 3 REFERENCES role (id),
    email         TEXT     CHECK (length(email) <= 150),
    phone         TEXT     CHECK (length(phone) <= 30),
    token_version INTEGER  NOT NULL DEFAULT 0,
    deleted_at    DATETIME,
    created_at    DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at    DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE UNIQUE INDEX operador_name_key_active ON operador (name_key) WHERE deleted_at IS NULL;
CREATE INDEX operador_id_role_idx ON operador (id_role) WHERE deleted_at IS NULL;

-- +goose Down
DROP TABLE operador;
