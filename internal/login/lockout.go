package login

import (
	"context"
	"fmt"
	"time"

	"github.com/kantuta/kantuta/internal/database"
)

// Lockout caps failed credential checks per account identifier, in the
// database so that every replica agrees. An attempt is reserved (counted)
// atomically BEFORE the secret is compared, and given back when the secret
// was right: however many requests arrive at once, on however many
// replicas, at most maxFailures compares fail per key and window, and a
// locked key answers without a compare. Unknown identifiers are counted
// too: the answer must not tell which accounts exist.
//
// A row's failures expire LOGIN_LOCKOUT after the last attempt, or when
// the lock they caused ends; a successful login gives back only its own
// attempt (it does not wipe the others: an attacker's burst in flight at
// the same moment stays counted).
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
	if l.maxFailures <= 0 {
		return 0, nil
	}
	var row struct {
		Failures    int
		LockedUntil *time.Time
		UpdatedAt   time.Time
	}
	err := l.db.WithContext(ctx).Table("login_failure").Select("failures, locked_until, updated_at").
		Where("account_key = ?", storedKey(key)).Take(&row).Error
	if database.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lockout state: %w", err)
	}
	if row.LockedUntil != nil {
		return max(time.Until(*row.LockedUntil), 0), nil
	}
	// Every attempt reserved, none finished yet: locked for a whole window
	// from the last one at most.
	if row.Failures >= l.maxFailures {
		return max(time.Until(row.UpdatedAt.Add(l.duration)), 0), nil
	}
	return 0, nil
}

// reserveSQL counts one attempt unless the key is locked or has no attempt
// left, in one statement (so concurrent requests cannot all pass a check
// made before). Failures restart at 1 when the lock ended or when the last
// attempt is older than the window. Parameters: key, now, now, then
// (now, now-window) for "expired", twice, then maxFailures.
const reserveSQL = `INSERT INTO login_failure (account_key, failures, created_at, updated_at)
VALUES (?, 1, ?, ?)
ON CONFLICT (account_key) DO UPDATE SET
	failures = CASE WHEN ` + expiredSQL + ` THEN 1 ELSE login_failure.failures + 1 END,
	locked_until = NULL,
	updated_at = excluded.updated_at
WHERE (login_failure.locked_until IS NULL OR login_failure.locked_until <= excluded.updated_at)
	AND (login_failure.failures < ? OR ` + expiredSQL + `)
RETURNING failures`

const expiredSQL = `((login_failure.locked_until IS NOT NULL AND login_failure.locked_until <= ?)
	OR (login_failure.locked_until IS NULL AND login_failure.updated_at <= ?))`

// Reserve counts one attempt for key before its secret is checked. It
// returns 0 when the attempt may go on (the caller must then GiveBack on
// success), or how long the key stays locked (no attempt was counted, and
// no secret may be compared).
func (l *Lockout) Reserve(ctx context.Context, key string) (time.Duration, error) {
	if l.maxFailures <= 0 {
		return 0, nil
	}
	key = storedKey(key)
	now := time.Now().UTC().Truncate(time.Microsecond)
	windowStart := now.Add(-l.duration)
	var got []int
	err := l.db.WithContext(ctx).Raw(reserveSQL, key, now, now, now, windowStart, l.maxFailures, now, windowStart).
		Scan(&got).Error
	if err != nil {
		return 0, fmt.Errorf("reserve login attempt: %w", err)
	}
	if len(got) == 0 {
		left, err := l.Locked(ctx, key)
		if err != nil {
			return 0, err
		}
		if left <= 0 {
			left = time.Second // the lock ended just now: try again
		}
		return left, nil
	}
	if got[0] >= l.maxFailures {
		// The last attempt is taken: the lock starts now, whatever its
		// compare says (GiveBack lifts it if the secret was right).
		err := l.db.WithContext(ctx).Exec(`UPDATE login_failure SET locked_until = ? WHERE account_key = ? AND failures >= ?`,
			now.Add(l.duration), key, l.maxFailures).Error
		if err != nil {
			return 0, fmt.Errorf("lock account: %w", err)
		}
	}
	return 0, nil
}

// GiveBack returns the attempt Reserve counted, after the secret was right:
// only wrong secrets count. A lock the attempt started ends with it.
func (l *Lockout) GiveBack(ctx context.Context, key string) error {
	if l.maxFailures <= 0 {
		return nil
	}
	err := l.db.WithContext(ctx).Exec(`UPDATE login_failure SET failures = failures - 1, locked_until = NULL
		WHERE account_key = ? AND failures > 0`, storedKey(key)).Error
	if err != nil {
		return fmt.Errorf("give back login attempt: %w", err)
	}
	return nil
}

// Fail records one failure without a reservation (Reserve already counts
// the failures of a compare). It returns how long key is locked for when
// this failure locked it.
func (l *Lockout) Fail(ctx context.Context, key string) (time.Duration, error) {
	left, err := l.Reserve(ctx, key)
	if err != nil || left > 0 {
		return 0, err
	}
	return l.Locked(ctx, key)
}

// Reset forgets every failure of key.
func (l *Lockout) Reset(ctx context.Context, key string) error {
	if l.maxFailures <= 0 {
		return nil
	}
	err := l.db.WithContext(ctx).Exec(`DELETE FROM login_failure WHERE account_key = ?`, storedKey(key)).Error
	if err != nil {
		return fmt.Errorf("reset login failures: %w", err)
	}
	return nil
}

// UsuarioKey is the lockout key of a usuario (the login's, so that every
// check of its password shares one count).
func UsuarioKey(email string) string { return "usuario:" + NormalizeEmail(email) }

// Verify checks secret against hash with key's lockout in front, as a login
// does: the attempt is reserved before the compare and given back when
// the secret is right. locked > 0 means no compare was made.
func (l *Lockout) Verify(ctx context.Context, h *Hasher, key, hash, secret string) (ok bool, locked time.Duration, err error) {
	if locked, err = l.Reserve(ctx, key); err != nil || locked > 0 {
		return false, locked, err
	}
	ok, _, err = h.Compare(ctx, hash, secret)
	if err != nil || ok {
		if gerr := l.GiveBack(context.WithoutCancel(ctx), key); gerr != nil && err == nil {
			err = gerr
		}
	}
	return ok && err == nil, 0, err
}
