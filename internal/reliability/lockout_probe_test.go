package reliability

import (
	"fmt"
	"sync"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestProbeLockoutBurstFromTenAddresses replays issue 14's probe 1 as an
// attacker would: wrong PINs for one operator sent all at once from ten
// source addresses (believed through a trusted proxy), then the right
// PIN; and a stolen usuario token guessing currentPassword to take the
// account's email. Before the fix 29 concurrent wrong PINs were all
// compared and the right PIN in the burst logged in; now at most
// LOGIN_MAX_FAILURES (5) compares fail, the rest is 429 without a compare.
func TestProbeLockoutBurstFromTenAddresses(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db, map[string]string{"TRUSTED_PROXIES": "127.0.0.1/32,::1/128"})
		adminTok := app.Token(role.Admin)
		name := "sondeo-" + randomHex(2)
		if res := app.Post("/users", adminTok, map[string]any{"name": name, "pin": "2580", "role": cashierRoleUUID(t, app)}); res.Status != 201 {
			t.Fatalf("create operator: %s", res)
		}
		send := func(i int, pin string) int {
			return app.Do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]any{"name": name, "pin": pin},
				Header: map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", 10+i%10)}}).Status
		}
		before := app.Hasher.Compares()
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			got = map[int]int{}
		)
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := send(i, fmt.Sprintf("%04d", 7000+i))
				mu.Lock()
				got[s]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		right := send(3, "2580")
		compares := app.Hasher.Compares() - before
		figure(t, "30 concurrent wrong PINs from 10 addresses: %d × 401, %d × 429, %d compares; the right PIN after: %d", got[401], got[429], compares, right)
		if got[401] != 5 || got[429] != 25 || compares != 5 || right != 429 {
			t.Fatalf("burst: %v, %d compares, right PIN %d; want 5 × 401, 25 × 429, 5 compares, 429", got, compares, right)
		}

		// A stolen token cannot take the account's email, nor guess its way there.
		u, stolen := app.NewUsuario(role.User)
		path := fmt.Sprintf("/usuario/%d", u.ID)
		if res := app.Patch(path, stolen, map[string]any{"email": "ladron@evil.test"}); res.Status != 400 {
			t.Fatalf("email change without currentPassword: %s", res)
		}
		statuses := map[int]int{}
		for i := 0; i < 8; i++ {
			statuses[app.Patch(path, stolen, map[string]any{"email": "ladron@evil.test", "currentPassword": fmt.Sprintf("guess-%d", i)}).Status]++
		}
		figure(t, "8 currentPassword guesses with a stolen token: %d × 400, %d × 429", statuses[400], statuses[429])
		if statuses[400] != 5 || statuses[429] != 3 {
			t.Fatalf("currentPassword guesses: %v, want 5 × 400 then 429", statuses)
		}
		var email string
		db.Raw("SELECT email FROM usuario WHERE id = ?", u.ID).Scan(&email)
		if email != u.Email {
			t.Fatalf("the email changed to %q", email)
		}
	})
}
