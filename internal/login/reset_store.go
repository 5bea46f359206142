package login

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
)

// PasswordReset is a row of password_reset: one pending reset per email,
// code and token stored as hashes only.
type PasswordReset struct {
	ID             int64 `gorm:"primaryKey"`
	Email          string
	AccountID      string
	CodeHash       string
	Attempts       int
	ExpiresAt      time.Time
	TokenHash      *string
	TokenExpiresAt *time.Time
	UsedAt         *time.Time
	VerifiedIP     *string    `gorm:"column:verified_ip"` // who confirmed the code (the frontend's flow)
	VerifiedUntil  *time.Time // until when that address may reset without a proof
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (PasswordReset) TableName() string { return "password_reset" }

// errNoReset means no live reset matches: the code or token expired, was
// spent, or never existed.
var errNoReset = errors.New("no live password reset")

// ResetStore keeps the pending password resets.
type ResetStore struct{ db *database.DB }

// NewResetStore builds a ResetStore on db.
func NewResetStore(db *database.DB) *ResetStore { return &ResetStore{db: db} }

// Replace stores row as the one pending reset of its email (the same two
// statements for a real reset and for a decoy), dropping in passing the
// rows long dead (stale is older than any code, token or verification).
func (s *ResetStore) Replace(ctx context.Context, row PasswordReset, stale time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("email = ? OR expires_at < ?", row.Email, stale).Delete(&PasswordReset{}).Error; err != nil {
			return err
		}
		return tx.Omit("id").Create(&row).Error
	})
}

// ReserveAttempt counts one attempt against the live code of email, if it
// has attempts left, and returns its row (errNoReset when none). Counting
// before comparing keeps concurrent guesses within maxAttempts.
func (s *ResetStore) ReserveAttempt(ctx context.Context, email string, now time.Time, maxAttempts int) (PasswordReset, error) {
	var rows []PasswordReset
	err := s.db.WithContext(ctx).Raw(`UPDATE password_reset SET attempts = attempts + 1, updated_at = ?
		WHERE email = ? AND used_at IS NULL AND expires_at > ? AND attempts < ? RETURNING *`,
		now, email, now, maxAttempts).Scan(&rows).Error
	if err != nil {
		return PasswordReset{}, fmt.Errorf("reserve reset attempt: %w", err)
	}
	if len(rows) == 0 {
		return PasswordReset{}, errNoReset
	}
	return rows[0], nil
}

// GiveBackAttempt undoes ReserveAttempt after a right code: only wrong
// codes count.
func (s *ResetStore) GiveBackAttempt(ctx context.Context, id int64) error {
	if err := s.db.WithContext(ctx).Model(&PasswordReset{}).Where("id = ?", id).
		Update("attempts", gorm.Expr("attempts - 1")).Error; err != nil {
		return fmt.Errorf("give back reset attempt: %w", err)
	}
	return nil
}

// SetToken records the reset_token (its hash) of an unspent reset, and
// that ip confirmed it until verifiedUntil (errNoReset when it was spent
// meanwhile).
func (s *ResetStore) SetToken(ctx context.Context, id int64, tokenHash string, expires time.Time, ip string, verifiedUntil time.Time) error {
	res := s.db.WithContext(ctx).Model(&PasswordReset{}).Where("id = ? AND used_at IS NULL", id).
		Updates(map[string]any{"token_hash": tokenHash, "token_expires_at": expires, "verified_ip": ip, "verified_until": verifiedUntil})
	if res.Error != nil {
		return fmt.Errorf("store reset token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return errNoReset
	}
	return nil
}

// ByToken finds the unspent reset of email whose token hashes to
// tokenHash and is still valid at now (errNoReset when none).
func (s *ResetStore) ByToken(ctx context.Context, email, tokenHash string, now time.Time) (PasswordReset, error) {
	var row PasswordReset
	err := s.db.WithContext(ctx).Where("email = ? AND used_at IS NULL AND token_hash = ? AND token_expires_at > ?",
		email, tokenHash, now).Take(&row).Error
	if database.IsNotFound(err) {
		return PasswordReset{}, errNoReset
	}
	if err != nil {
		return PasswordReset{}, fmt.Errorf("find reset token: %w", err)
	}
	return row, nil
}

// ByVerified finds the unspent reset of email that ip confirmed and whose
// verification is still valid at now (errNoReset when none).
func (s *ResetStore) ByVerified(ctx context.Context, email, ip string, now time.Time) (PasswordReset, error) {
	var row PasswordReset
	err := s.db.WithContext(ctx).Where("email = ? AND used_at IS NULL AND verified_ip = ? AND verified_until > ?",
		email, ip, now).Take(&row).Error
	if database.IsNotFound(err) {
		return PasswordReset{}, errNoReset
	}
	if err != nil {
		return PasswordReset{}, fmt.Errorf("find verified reset: %w", err)
	}
	return row, nil
}

// Spend marks a reset used; of two requests racing with one proof, one
// wins and the other gets errNoReset.
func (s *ResetStore) Spend(ctx context.Context, id int64, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&PasswordReset{}).Where("id = ? AND used_at IS NULL", id).
		Updates(map[string]any{"used_at": now})
	if res.Error != nil {
		return fmt.Errorf("spend reset proof: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return errNoReset
	}
	return nil
}
