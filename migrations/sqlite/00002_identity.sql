-- +goose Up
CREATE TABLE persona (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    nombres          TEXT     NOT NULL CHECK (length(nombres) <= 100),
    p_apellido       TEXT     NOT NULL CHECK (length(p_apellido) <= 50),
    s_apellido       TEXT     CHECK (length(s_apellido) <= 50),
    fecha_nacimiento DATE     NOT NULL,
    genero           TEXT     NOT NULL CHECK (length(genero) <= 10),
    estado           BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create   INTEGER,
    id_user_update   INTEGER,
    created_at       DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at       DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE usuario (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT     NOT NULL CHECK (length(name) <= 100),
    email          TEXT     NOT NULL CHECK (length(email) <= 150 AND email = lower(email)),
    password       TEXT     NOT NULL,
    id_persona     INTEGER  NOT NULL REFERENCES persona (id),
    id_role        INTEGER  NOT NULL DEFAULT 3 REFERENCES role (id),
    token_version  INTEGER  NOT NULL DEFAULT 0,
    estado         BOOLEAN  NOT NULL DEFAULT TRUE,
    id_user_create INTEGER,
    id_user_update INTEGER,
    created_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at     DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT usuario_email_key UNIQUE (email),
    CONSTRAINT usuario_id_persona_key UNIQUE (id_persona)
);
CREATE INDEX usuario_id_role_idx ON usuario (id_role) WHERE estado;

CREATE TABLE refresh_token (
    id           TEXT PRIMARY KEY,
    family       TEXT     NOT NULL,
    account_kind TEXT     NOT NULL,
    account_id   TEXT     NOT NULL,
    token_hash   TEXT     NOT NULL,
    expires_at   DATETIME NOT NULL,
    used_at      DATETIME,
    revoked_at   DATETIME,
    created_at   DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at   DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX refresh_token_family_idx ON refresh_token (family);
CREATE INDEX refresh_token_account_idx ON refresh_token (account_kind, account_id);

CREATE TABLE login_failure (
    account_key  TEXT PRIMARY KEY,
    failures     INTEGER  NOT NULL DEFAULT 0,
    locked_until DATETIME,
    created_at   DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at   DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- +goose Down
DROP TABLE login_failure;
DROP TABLE refresh_token;
DROP TABLE usuario;
DROP TABLE persona;
