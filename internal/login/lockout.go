package login

import (
	"context"
	"fmt"
	"time"

	"github.com/kantuta/kantuta/internal/database"
)

// Lockout counts failed logins per account identifier in the database, so
// that every replica agrees, and locks the identifier for a while after
// too many. Unknown identifiers are counted too: the answer must not tell
// which accounts exist.
type Lockout struct {
	db          *database.DB
	maxFailures int
	duration    time.Duration
}

// maxKeyLen is the longest account_key stored as is (the column is
// VARCHAR(200)); longer ones are stored as their SHA-256. A PIN login's name
// has no length limit before it is looked up: a 201-character name gave
// PostgreSQL's "value too long" and a 500 (found by the hostile corpus).
const maxKeyLen = 200

// storedKey is the account_key a key is counted under.
func storedKey(key string) string {
	if len(key) <= maxKeyLen {
		return key
	}
	return "sha256:" + hashToken(key)
}

// NewLockout builds a Lockout; maxFailures <= 0 disables it.
func NewLockout(db *database.DB, maxFailures int, duration time.Duration) *Lockout {
	return &Lockout{db: db, maxFailures: maxFailures, duration: duration}
}

// Locked returns how long key stays locked (0 when it is not).
func (l *Lockout) Locked(ctx context.Context, key string) (time.Duration, error) {
	left, _, err := l.State(ctx, key)
	return left, err
}

// State returns how long key stays locked, and whether any failure is on
// record for it (when none is, a successful login has nothing to reset).
func (l *Lockout) State(ctx context.Context, key string) (left time.Duration, recorded bool, err error) {
	if l.maxFailures <= 0 {
		return 0, false, nil
	}
	key = storedKey(key)
	var row struct{ LockedUntil *time.Time }
	err = l.db.WithContext(ctx).Table("login_failure").Select("locked_until").
		Where("account_key = ?", key).Take(&row).Error
	if database.IsNotFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("lockout state: %w", err)
	}
	if row.LockedUntil != nil {
		if left := time.Until(*row.LockedUntil); left > 0 {
			return left, true, nil
		}
	}
	return 0, true, nil
}

// Fail records one failure; when it reaches the limit the key is locked and
// the lock's length is returned.
func (l *Lockout) Fail(ctx context.Context, key string) (time.Duration, error) {
	if l.maxFailures <= 0 {
		return 0, nil
	}
	key = storedKey(key)
	now := time.Now().UTC()
	var failures int
	// One atomic upsert: concurrent failures are all counted.
	err := l.db.WithContext(ctx).Raw(`INSERT INTO login_failure (account_key, failures, created_at, updated_at)
		VALUES (?, 1, ?, ?)
		ON CONFLICT (account_key) DO UPDATE SET failures = login_failure.failures + 1, updated_at = excluded.updated_at
		RETURNING failures`, key, now, now).Scan(&failures).Error
	if err != nil {
		return 0, fmt.Errorf("record login failure: %w", err)
	}
	if failures < l.maxFailures {
		return 0, nil
	}
	until := now.Add(l.duration)
	err = l.db.WithContext(ctx).Exec(`UPDATE login_failure SET failures = 0, locked_until = ?, updated_at = ? WHERE account_key = ?`,
		until, now, key).Error
	if err != nil {
		return 0, fmt.Errorf("lock account: %w", err)
	}
	return l.duration, nil
}

// Reset forgets the failures of key after a successful login.
func (l *Lockout) Reset(ctx context.Context, key string) error {
	if l.maxFailures <= 0 {
		return nil
	}
	key = storedKey(key)
	err := l.db.WithContext(ctx).Exec(`DELETE FROM login_failure WHERE account_key = ?`, key).Error
	if err != nil {
		return fmt.Errorf("reset login failures: %w", err)
	}
	return nil
}
