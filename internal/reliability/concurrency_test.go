package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// concurrent sends n requests built by body(i) to method path at once
// (released together after every goroutine is ready) and returns each
// status and body; a transport error is status 0 with the error as body.
func concurrent(app *testkit.App, n int, method, path, token string, body func(i int) []byte) ([]int, [][]byte, time.Duration) {
	statuses := make([]int, n)
	bodies := make([][]byte, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			req, err := http.NewRequest(method, app.URL+path, bytes.NewReader(body(i)))
			if err != nil {
				ready.Done()
				bodies[i] = []byte(err.Error())
				return
			}
			req.Header.Set("Content-Type", "application/json")
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			ready.Done()
			<-start
			res, err := app.Client.Do(req)
			if err != nil {
				bodies[i] = []byte(err.Error())
				return
			}
			defer res.Body.Close()
			statuses[i] = res.StatusCode
			bodies[i], _ = io.ReadAll(res.Body)
		}()
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	return statuses, bodies, time.Since(t0)
}

// tally counts statuses as "N×code" in code order.
func tally(statuses []int) (map[int]int, string) {
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	codes := make([]int, 0, len(count))
	for c := range count {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%d×%d", count[c], c)
	}
	return count, strings.Join(parts, " ")
}

// TestConcurrentRegistrationsOfOneEmail sends 200 registrations of the same
// email at once: exactly one is created (201), the other 199 are told the
// email is taken (409, the Nest message), none fails with a 5xx, and the
// database holds one usuario and one persona for it.
func TestConcurrentRegistrationsOfOneEmail(t *testing.T) {
	const n = 200
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db, map[string]string{"SALT_ROUNDS": "4"})
		email := "carrera-" + randomHex(3) + "@kantuta.test"
		var before int64
		if err := db.Raw("SELECT count(*) FROM persona").Scan(&before).Error; err != nil {
			t.Fatal(err)
		}
		statuses, bodies, took := concurrent(app, n, "POST", "/usuario/register", "", func(int) []byte { return registerBody(email) })
		count, dist := tally(statuses)
		for i, s := range statuses {
			switch {
			case s == 0 || s >= 500:
				t.Errorf("registration %d: %d %s", i, s, truncateBody(bodies[i]))
			case s == http.StatusConflict:
				var m map[string]any
				if json.Unmarshal(bodies[i], &m) != nil || m["message"] != "El email ya se encuentra registrado" || m["statusCode"] != float64(409) {
					t.Errorf("registration %d: not the Nest 409: %s", i, truncateBody(bodies[i]))
				}
			}
		}
		if count[http.StatusCreated] != 1 || count[http.StatusConflict] != n-1 {
			t.Errorf("want 1×201 and %d×409, got %s", n-1, dist)
		}
		var usuarios, personas, after int64
		if err := db.Raw("SELECT count(*) FROM usuario WHERE email = ?", email).Scan(&usuarios).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Raw("SELECT count(*) FROM persona p JOIN usuario u ON u.id_persona = p.id WHERE u.email = ?", email).Scan(&personas).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Raw("SELECT count(*) FROM persona").Scan(&after).Error; err != nil {
			t.Fatal(err)
		}
		if usuarios != 1 || personas != 1 || after-before != 1 {
			t.Errorf("want one usuario and one persona, got %d usuarios, %d personas of it, %d new personas", usuarios, personas, after-before)
		}
		fiveXX := 0
		for c, k := range count {
			if c == 0 || c >= 500 {
				fiveXX += k
			}
		}
		figure(t, "concurrent registrations %s: %d of one email in %d ms → %s (%d × 5xx or cut); %d usuario, %d persona, %d new personas",
			db.Dialect, n, took.Milliseconds(), dist, fiveXX, usuarios, personas, after-before)
	})
}

// TestConcurrentCustomerCreates creates 20 customers at once: all 201, 20
// distinct codes, all stored.
func TestConcurrentCustomerCreates(t *testing.T) {
	const n = 20
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		tok := app.Token(role.User)
		statuses, bodies, took := concurrent(app, n, "POST", "/api/pos/clientes", tok, func(i int) []byte {
			b, _ := json.Marshal(map[string]string{
				"ct_codigo": "LPZ001", "cli_nombre": fmt.Sprintf("Cliente Concurrente %02d", i),
				"cli_ruc_ced": fmt.Sprintf("17%08d", i), "cli_telefono": "0991234567", "cli_mail": fmt.Sprintf("c%d@kantuta.ec", i),
			})
			return b
		})
		_, dist := tally(statuses)
		codes := map[string]bool{}
		for i, s := range statuses {
			if s != http.StatusCreated {
				t.Errorf("create %d: %d %s", i, s, truncateBody(bodies[i]))
				continue
			}
			var m struct {
				Data struct {
					Codigo string `json:"cli_codigo"`
				} `json:"data"`
			}
			if err := json.Unmarshal(bodies[i], &m); err != nil || m.Data.Codigo == "" {
				t.Errorf("create %d: no cli_codigo: %s", i, truncateBody(bodies[i]))
				continue
			}
			codes[m.Data.Codigo] = true
		}
		var stored int64
		if err := db.Raw("SELECT count(DISTINCT cli_codigo) FROM cliente WHERE cli_nombre LIKE 'Cliente Concurrente %'").Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if len(codes) != n || stored != n {
			t.Errorf("want %d distinct codes, got %d in answers and %d stored", n, len(codes), stored)
		}
		figure(t, "concurrent customer creates %s: %d at once in %d ms → %s, %d distinct cli_codigo, %d stored",
			db.Dialect, n, took.Milliseconds(), dist, len(codes), stored)
	})
}
