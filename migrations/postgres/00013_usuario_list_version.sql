-- +goose Up
-- The version of GET /usuario's answer. The full list is kept encoded in
-- each process and served while this number is the one it was read with;
-- every transaction that changes a usuario, persona or role adds one.
--
-- The triggers are DEFERRED constraint triggers: the row is bumped at
-- commit, after every other lock the transaction takes, so two identity
-- writes cannot deadlock on it, and the bump is visible exactly when the
-- change is (no reader can pair the new number with the old rows). A
-- transaction bumps once, however many rows it writes.
CREATE TABLE usuario_list_version (
    id      SMALLINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO usuario_list_version (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE FUNCTION usuario_list_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kantuta.usuario_list_bumped', true) IS DISTINCT FROM 't' THEN
        PERFORM set_config('kantuta.usuario_list_bumped', 't', true);
        UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER usuario_list_bump AFTER INSERT OR UPDATE OR DELETE ON usuario
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION usuario_list_bump();
CREATE CONSTRAINT TRIGGER usuario_list_bump AFTER INSERT OR UPDATE OR DELETE ON persona
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION usuario_list_bump();
CREATE CONSTRAINT TRIGGER usuario_list_bump AFTER INSERT OR UPDATE OR DELETE ON role
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION usuario_list_bump();

-- TRUNCATE has no row triggers; it takes the table whole, so an immediate
-- bump cannot deadlock with anything the truncation does not wait for anyway.
-- +goose StatementBegin
CREATE FUNCTION usuario_list_bump_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE usuario_list_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER usuario_list_bump_truncate AFTER TRUNCATE ON usuario
    FOR EACH STATEMENT EXECUTE FUNCTION usuario_list_bump_truncate();
CREATE TRIGGER usuario_list_bump_truncate AFTER TRUNCATE ON persona
    FOR EACH STATEMENT EXECUTE FUNCTION usuario_list_bump_truncate();
CREATE TRIGGER usuario_list_bump_truncate AFTER TRUNCATE ON role
    FOR EACH STATEMENT EXECUTE FUNCTION usuario_list_bump_truncate();

-- +goose Down
DROP TRIGGER usuario_list_bump_truncate ON role;
DROP TRIGGER usuario_list_bump_truncate ON persona;
DROP TRIGGER usuario_list_bump_truncate ON usuario;
DROP FUNCTION usuario_list_bump_truncate();
DROP TRIGGER usuario_list_bump ON role;
DROP TRIGGER usuario_list_bump ON persona;
DROP TRIGGER usuario_list_bump ON usuario;
DROP FUNCTION usuario_list_bump();
DROP TABLE usuario_list_version;
