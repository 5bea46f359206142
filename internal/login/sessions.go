package login

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
)

// ErrTokenReused means a refresh token that was already rotated came back:
// someone holds a copy, so its whole family is revoked.
var ErrTokenReused = errors.New("refresh token re-used")

// refreshToken is a row of refresh_token: the token itself is never
// stored, only its id (jti) and a SHA-256 of it.
type refreshToken struct {
	ID          string `gorm:"primaryKey"`
	Family      string
	AccountKind string
	AccountID   string
	TokenHash   string
	ExpiresAt   time.Time
	UsedAt      *time.Time
	RevokedAt   *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (refreshToken) TableName() string { return "refresh_token" }

// Sessions issues token pairs and rotates refresh tokens, recording them
// so they can be revoked, and detecting re-use. Whatever it ends it also
// drops from the authenticator's cache, so the end takes effect at once.
type Sessions struct {
	db     *database.DB
	issuer *auth.Issuer
	states auth.AccountStates
	cache  *auth.Cache
}

// NewSessions builds the session store.
func NewSessions(db *database.DB, issuer *auth.Issuer, states auth.AccountStates, cache *auth.Cache) *Sessions {
	return &Sessions{db: db, issuer: issuer, states: states, cache: cache}
}

// Pair is an access token with its refresh token.
type Pair struct {
	Access  auth.Issued
	Refresh auth.Issued
	Subject auth.Subject
}

// hashToken is how a bearer secret (refresh token, reset token) is stored:
// its SHA-256, so that a copy of the table grants nothing.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// Start opens a new session (refresh family) for s.
func (s *Sessions) Start(ctx context.Context, subj auth.Subject) (Pair, error) {
	subj.Family = uuid.NewString()
	return s.issue(ctx, s.db.DB, subj)
}

func (s *Sessions) issue(ctx context.Context, tx *gorm.DB, subj auth.Subject) (Pair, error) {
	access, err := s.issuer.Access(subj)
	if err != nil {
		return Pair{}, err
	}
	refresh, err := s.issuer.Refresh(subj)
	if err != nil {
		return Pair{}, err
	}
	row := refreshToken{
		ID: refresh.ID, Family: subj.Family, AccountKind: string(subj.Kind), AccountID: subj.ID,
		TokenHash: hashToken(refresh.Token), ExpiresAt: refresh.ExpiresAt.UTC(),
	}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return Pair{}, fmt.Errorf("record refresh token: %w", err)
	}
	return Pair{Access: access, Refresh: refresh, Subject: subj}, nil
}

// Rotate exchanges a live refresh token for a new pair; the old one dies.
// A token presented after it was rotated revokes its whole family.
func (s *Sessions) Rotate(ctx context.Context, token string) (Pair, error) {
	claims, err := s.issuer.ParseRefresh(token)
	if err != nil {
		return Pair{}, err
	}
	var (
		pair   Pair
		reused bool
	)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row refreshToken
		q := tx.Where("id = ?", claims.ID)
		if s.db.IsPostgres() {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&row).Error; err != nil {
			if database.IsNotFound(err) {
				return auth.ErrInvalidToken
			}
			return err
		}
		if subtle.ConstantTimeCompare([]byte(row.TokenHash), []byte(hashToken(token))) != 1 || row.RevokedAt != nil {
			return auth.ErrInvalidToken
		}
		now := time.Now().UTC()
		if row.UsedAt != nil {
			reused = true
			return tx.Model(&refreshToken{}).Where("family = ? AND revoked_at IS NULL", row.Family).
				Updates(map[string]any{"revoked_at": now, "updated_at": now}).Error
		}
		if now.After(row.ExpiresAt) {
			return auth.ErrInvalidToken
		}
		st, err := s.states.AccountState(ctx, auth.Kind(row.AccountKind), row.AccountID)
		if err != nil {
			if errors.Is(err, auth.ErrAccountNotFound) {
				return auth.ErrInvalidToken
			}
			return err
		}
		if !st.Active || st.TokenVersion != claims.Version {
			return auth.ErrInvalidToken
		}
		res := tx.Model(&refreshToken{}).Where("id = ? AND used_at IS NULL", row.ID).
			Updates(map[string]any{"used_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 { // a concurrent rotation won the race
			return auth.ErrInvalidToken
		}
		pair, err = s.issue(ctx, tx, auth.Subject{
			Kind: auth.Kind(row.AccountKind), ID: row.AccountID, Username: st.Username,
			RoleID: st.RoleID, RoleName: st.RoleName, Family: row.Family, Version: st.TokenVersion,
		})
		return err
	})
	if reused && err == nil {
		s.cache.ForgetFamily(claims.Family)
		return Pair{}, ErrTokenReused
	}
	if err != nil {
		return Pair{}, err
	}
	return pair, nil
}

// End ends one session (logout).
func (s *Sessions) End(ctx context.Context, family string) error {
	now := time.Now().UTC()
	err := s.db.WithContext(ctx).Model(&refreshToken{}).Where("family = ? AND revoked_at IS NULL", family).
		Updates(map[string]any{"revoked_at": now, "updated_at": now}).Error
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.cache.ForgetFamily(family)
	return nil
}

// EndAll ends every session of an account except keep (may be ""), and
// drops the account's cached state, so that a change to it (password,
// role, estado) is in force on the next request.
func (s *Sessions) EndAll(ctx context.Context, kind auth.Kind, id, keep string) error {
	s.cache.Forget(kind, id)
	var families []string
	q := s.db.WithContext(ctx).Model(&refreshToken{}).
		Where("account_kind = ? AND account_id = ? AND revoked_at IS NULL", string(kind), id)
	if keep != "" {
		q = q.Where("family <> ?", keep)
	}
	if err := q.Distinct().Pluck("family", &families).Error; err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	if len(families) == 0 {
		return nil
	}
	now := time.Now().UTC()
	err := s.db.WithContext(ctx).Model(&refreshToken{}).Where("family IN ? AND revoked_at IS NULL", families).
		Updates(map[string]any{"revoked_at": now, "updated_at": now}).Error
	for _, f := range families {
		s.cache.ForgetFamily(f)
	}
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// FamilyRevoked implements FamilyChecker: a family is revoked when it has
// a revoked token (revocation always covers the whole family).
func (s *Sessions) FamilyRevoked(ctx context.Context, family string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&refreshToken{}).
		Where("family = ? AND revoked_at IS NOT NULL", family).Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("session state: %w", err)
	}
	return n > 0, nil
}

// Forget drops the cached state of an account after a change that ends
// none of its sessions (role, estado), so the change is in force at once.
func (s *Sessions) Forget(kind auth.Kind, id string) { s.cache.Forget(kind, id) }
