-- +goose Up
-- The React frontend's reset form confirms the code, drops the reset_token
-- and sends {email, newPassword}: a successful confirm-code marks its reset
-- verified for 10 minutes, for the client address that confirmed it.
ALTER TABLE password_reset ADD COLUMN verified_ip TEXT;
ALTER TABLE password_reset ADD COLUMN verified_until DATETIME;

-- +goose Down
ALTER TABLE password_reset DROP COLUMN verified_until;
ALTER TABLE password_reset DROP COLUMN verified_ip;
