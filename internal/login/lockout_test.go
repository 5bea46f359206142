package login_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/role"
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

// burst sends n requests at once (each built by req(i)) and counts the
// answers by status.
func burst(n int, req func(i int) *testkit.Response) map[int]int {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[int]int{}
	)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res := req(i)
			mu.Lock()
			got[res.Status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return got
}

// TestLockoutHardCapUnderConcurrency (issue 14 item 1): the lockout used to
// read the failure count, compare, then record the failure, so a burst all
// passed the check (29 wrong PINs sent at once were all compared and the
// right PIN in the same burst logged in). The attempt is now reserved in
// the database before the compare: 30 concurrent wrong PINs give exactly
// 5 × 401 and 25 × 429 with exactly 5 bcrypt compares, and the right PIN
// afterwards is 429 without a compare. Same for email + password, with the
// burst split over two replicas sharing the database.
func TestLockoutHardCapUnderConcurrency(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		if res := app.Post("/users", admin, map[string]any{"name": "rafaga", "pin": "4321", "role": "e7349203-1bdf-4d8a-8a83-0f5dccb23e1b"}); res.Status != 201 {
			t.Fatalf("create operator: %s", res)
		}
		pin := func(p string) *testkit.Response {
			return app.Do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]any{"name": "rafaga", "pin": p}})
		}

		t.Run("name+PIN", func(t *testing.T) {
			before := app.Hasher.Compares()
			got := burst(30, func(i int) *testkit.Response { return pin(fmt.Sprintf("%04d", 5000+i)) })
			compares := app.Hasher.Compares() - before
			t.Logf("30 concurrent wrong PINs: %d × 401, %d × 429, %d compares", got[401], got[429], compares)
			if got[401] != 5 || got[429] != 25 || compares != 5 {
				t.Fatalf("30 concurrent wrong PINs: %v, %d compares; want 5 × 401, 25 × 429, 5 compares", got, compares)
			}
			res := pin("4321")
			if res.Status != 429 || res.Header.Get("Retry-After") == "" || app.Hasher.Compares()-before != 5 {
				t.Fatalf("the right PIN after the cap: %s, %d compares", res, app.Hasher.Compares()-before)
			}
			// The lock ends: the right PIN works, and gives its attempt back.
			db.Exec("UPDATE login_failure SET locked_until = ? WHERE account_key = 'operador:rafaga'", time.Now().UTC().Add(-time.Second))
			if res := pin("4321"); res.Status != 200 {
				t.Fatalf("the right PIN after the lock: %s", res)
			}
			var failures int
			db.Raw("SELECT failures FROM login_failure WHERE account_key = 'operador:rafaga'").Scan(&failures)
			if failures != 0 {
				t.Fatalf("a successful login left %d failures counted", failures)
			}
		})

		t.Run("email+password over two replicas", func(t *testing.T) {
			other := testkit.NewApp(t, db) // a second replica on the same database
			u, _ := app.NewUsuario(role.User)
			before := app.Hasher.Compares() + other.Hasher.Compares()
			got := burst(30, func(i int) *testkit.Response {
				a := app
				if i%2 == 1 {
					a = other
				}
				return a.Post("/auth/login", "", map[string]any{"email": u.Email, "password": fmt.Sprintf("wrong-%d", i)})
			})
			compares := app.Hasher.Compares() + other.Hasher.Compares() - before
			t.Logf("30 concurrent wrong passwords on two replicas: %d × 401, %d × 429, %d compares", got[401], got[429], compares)
			if got[401] != 5 || got[429] != 25 || compares != 5 {
				t.Fatalf("30 concurrent wrong passwords: %v, %d compares; want 5 × 401, 25 × 429, 5 compares", got, compares)
			}
			for _, a := range []*testkit.App{app, other} {
				res := a.Post("/auth/login", "", map[string]any{"email": u.Email, "password": "Password123!"})
				if res.Status != 429 || res.Map(t)["message"] == nil {
					t.Fatalf("the right password after the cap: %s", res)
				}
			}
			if n := app.Hasher.Compares() + other.Hasher.Compares() - before; n != 5 {
				t.Fatalf("%d compares, want 5: a locked account was compared", n)
			}
		})

		t.Run("a right secret gives its attempt back", func(t *testing.T) {
			u, _ := app.NewUsuario(role.User)
			for i := 0; i < 4; i++ {
				if res := app.Post("/auth/login", "", map[string]any{"email": u.Email, "password": "wrong"}); res.Status != 401 {
					t.Fatalf("failure %d: %s", i+1, res)
				}
			}
			for i := 0; i < 3; i++ { // right passwords never use up the last attempt
				if res := app.Post("/auth/login", "", map[string]any{"email": u.Email, "password": "Password123!"}); res.Status != 201 {
					t.Fatalf("right password %d after 4 failures: %s", i+1, res)
				}
			}
			if res := app.Post("/auth/login", "", map[string]any{"email": u.Email, "password": "wrong"}); res.Status != 401 {
				t.Fatalf("5th failure: %s", res)
			}
			if res := app.Post("/auth/login", "", map[string]any{"email": u.Email, "password": "Password123!"}); res.Status != 429 {
				t.Fatalf("after the 5th failure: %s", res)
			}
		})
	})
}

// TestLockoutReserveUnit: Reserve counts up to the cap and then refuses;
// an attempt whose row is stale (the window passed) starts again at 1.
func TestLockoutReserveUnit(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		l := login.NewLockout(db, 3, time.Minute)
		for i := 1; i <= 3; i++ {
			if left, err := l.Reserve(ctx, "k"); err != nil || left != 0 {
				t.Fatalf("reservation %d: %v, %v", i, left, err)
			}
		}
		if left, err := l.Reserve(ctx, "k"); err != nil || left <= 0 || left > time.Minute {
			t.Fatalf("4th reservation: %v, %v", left, err)
		}
		if err := l.GiveBack(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if left, err := l.Reserve(ctx, "k"); err != nil || left != 0 {
			t.Fatalf("after a give-back: %v, %v", left, err)
		}
		// A window-old row (no lock) restarts at 1.
		db.Exec("UPDATE login_failure SET failures = 2, locked_until = NULL, updated_at = ? WHERE account_key = 'k'", time.Now().UTC().Add(-2*time.Minute))
		if left, err := l.Reserve(ctx, "k"); err != nil || left != 0 {
			t.Fatalf("stale row: %v, %v", left, err)
		}
		var failures int
		db.Raw("SELECT failures FROM login_failure WHERE account_key = 'k'").Scan(&failures)
		if failures != 1 {
			t.Fatalf("a stale row kept %d failures", failures)
		}
	})
}
