-- +goose Up
-- The version of GET /usuario's answer. The full list is kept encoded in
-- the process and served while this number is the one it was read with;
-- every change to a usuario, persona or role adds one, in the writing
-- transaction (SQLite has one writer at a time, so plain triggers suffice).
CREATE TABLE usuario_list_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO usuario_list_version (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_usuario_insert AFTER INSERT ON usuario
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_usuario_update AFTER UPDATE ON usuario
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_usuario_delete AFTER DELETE ON usuario
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_persona_insert AFTER INSERT ON persona
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_persona_update AFTER UPDATE ON persona
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_persona_delete AFTER DELETE ON persona
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_role_insert AFTER INSERT ON role
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_role_update AFTER UPDATE ON role
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER usuario_list_bump_role_delete AFTER DELETE ON role
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER usuario_list_bump_role_delete;
DROP TRIGGER usuario_list_bump_role_update;
DROP TRIGGER usuario_list_bump_role_insert;
DROP TRIGGER usuario_list_bump_persona_delete;
DROP TRIGGER usuario_list_bump_persona_update;
DROP TRIGGER usuario_list_bump_persona_insert;
DROP TRIGGER usuario_list_bump_usuario_delete;
DROP TRIGGER usuario_list_bump_usuario_update;
DROP TRIGGER usuario_list_bump_usuario_insert;
DROP TABLE usuario_list_version;
