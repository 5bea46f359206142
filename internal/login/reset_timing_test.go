package login_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestMeasureResetCodeTiming prints the median time of POST
// /auth/reset/code for a known and an unknown email over 200 requests
// each, interleaved (the figures of docs/security.md). It measures and
// asserts nothing about time; it runs only with KANTUTA_MEASURE_RESET=1.
func TestMeasureResetCodeTiming(t *testing.T) {
	if os.Getenv("KANTUTA_MEASURE_RESET") == "" {
		t.Skip("set KANTUTA_MEASURE_RESET=1 to measure")
	}
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db, map[string]string{"LOG_LEVEL": "error"})
		u, _ := app.NewUsuario(role.User)
		const n = 200
		var known, unknown []time.Duration
		post := func(email string) time.Duration {
			start := time.Now()
			if res := app.Post("/auth/reset/code", "", map[string]any{"email": email}); res.Status != 201 {
				t.Fatalf("reset/code: %s", res)
			}
			return time.Since(start)
		}
		for i := 0; i < 20; i++ { // warm up
			post(u.Email)
			post("nadie@example.com")
		}
		for i := 0; i < n; i++ {
			known = append(known, post(u.Email))
			unknown = append(unknown, post("nadie@example.com"))
		}
		slices.Sort(known)
		slices.Sort(unknown)
		t.Logf("median over %d requests each: known %.2f ms, unknown %.2f ms", n,
			float64(known[n/2].Microseconds())/1000, float64(unknown[n/2].Microseconds())/1000)
	})
}
