package login_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestLockoutLongKeys: a PIN login's name is not length-checked before the
// lockout counts it; keys longer than the account_key column (201
// characters, 100,000) are counted, locked and reset like short ones (on
// PostgreSQL they gave "value too long" and a 500).
func TestLockoutLongKeys(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		l := login.NewLockout(db, 3, time.Minute)
		for _, key := range []string{"operador:" + strings.Repeat("é", 201), "operador:" + strings.Repeat("n", 100000)} {
			for i := 1; i <= 3; i++ {
				d, err := l.Fail(ctx, key)
				if err != nil {
					t.Fatalf("failure %d of a %d-byte key: %v", i, len(key), err)
				}
				if (i == 3) != (d > 0) {
					t.Fatalf("failure %d of a %d-byte key: locked for %v", i, len(key), d)
				}
			}
			if d, err := l.Locked(ctx, key); err != nil || d <= 0 {
				t.Fatalf("a %d-byte key after 3 failures: locked %v, %v", len(key), d, err)
			}
			if d, err := l.Locked(ctx, key[:len(key)-1]); err != nil || d != 0 {
				t.Fatalf("a different key is locked too: %v, %v", d, err)
			}
			if err := l.Reset(ctx, key); err != nil {
				t.Fatal(err)
			}
			if d, err := l.Locked(ctx, key); err != nil || d != 0 {
				t.Fatalf("a %d-byte key after reset: locked %v, %v", len(key), d, err)
			}
		}
	})
}
