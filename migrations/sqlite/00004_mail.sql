-- +goose Up
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT     NOT NULL DEFAULT 'message' CHECK (length(kind) <= 30),
    to_email        TEXT     NOT NULL CHECK (length(to_email) <= 150),
    to_name         TEXT     NOT NULL DEFAULT '' CHECK (length(to_name) <= 100),
    subject         TEXT     NOT NULL CHECK (length(subject) <= 200),
    body_text       TEXT     NOT NULL,
    body_html       TEXT     NOT NULL DEFAULT '',
    sensitive       BOOLEAN  NOT NULL DEFAULT FALSE,
    status          TEXT     NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER  NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    claimed_by      TEXT,
    claimed_until   DATETIME,
    last_error      TEXT,
    sent_at         DATETIME,
    id_user_create  INTEGER,
    created_at      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at      DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX mail_outbox_lease_idx ON mail_outbox (claimed_until) WHERE status = 'sending';

CREATE TABLE password_reset (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    email            TEXT     NOT NULL CHECK (length(email) <= 150),
    account_id       TEXT     NOT NULL,
    code_hash        TEXT     NOT NULL,
    attempts         INTEGER  NOT NULL DEFAULT 0,
    expires_at       DATETIME NOT NULL,
    token_hash       TEXT,
    token_expires_at DATETIME,
    used_at          DATETIME,
    created_at       DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at       DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT password_reset_email_key UNIQUE (email)
);

-- +goose Down
DROP TABLE password_reset;
DROP TABLE mail_outbox;
