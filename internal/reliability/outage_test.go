package reliability

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// requestTimeout is REQUEST_TIMEOUT in the outage test: the bound on how
// long a request may wait for a database that does not answer.
const requestTimeout = 2 * time.Second

// TestDatabaseOutage puts a fault-injecting proxy (toxiproxy, in process)
// between the server and PostgreSQL and cuts it twice: first refusing
// connections (the database is down), then swallowing every byte (a
// network black hole, the worse case: nothing answers, nothing fails).
// Each time the requests that need the database (identity, a customer
// search, POST /mail) must answer 503 in their family's shape (Nest,
// Clientes) within a bounded time while /healthz stays 200; when the proxy
// is restored, full service must be back within 5 s without a restart;
// and every registration answered 201 must be there exactly once, every
// one answered 503 absent.
func TestDatabaseOutage(t *testing.T) {
	databaseURL := newPostgresDatabase(t)
	direct := openDB(t, databaseURL)
	if _, err := direct.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(databaseURL)
	proxy := startProxy(t, u.Host)
	u.Host = proxy.Listen
	db, err := database.Open(context.Background(), u.String(), database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	app := testkit.NewApp(t, db, map[string]string{"REQUEST_TIMEOUT": requestTimeout.String()})
	admin, adminTok := app.NewUsuario(role.Admin)
	user, userTok := app.NewUsuario(role.User)

	reg := &registrations{app: app, prefix: "outage-" + randomHex(3)}
	probes := []probe{
		{"GET /readyz", testkit.Request{Method: "GET", Path: "/readyz"}},
		{"GET /usuario/:id", testkit.Request{Method: "GET", Path: fmt.Sprintf("/usuario/%d", user.ID), Token: adminTok}},
		{"GET /usuario", testkit.Request{Method: "GET", Path: "/usuario", Token: adminTok}},
		{"GET /persona/:id", testkit.Request{Method: "GET", Path: fmt.Sprintf("/persona/%d", user.IDPersona), Token: userTok}},
		{"GET /auth/me", testkit.Request{Method: "GET", Path: "/auth/me", Token: userTok}},
		{"POST /auth/login", testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"email": admin.Email, "password": "Password123!"}}},
		{"PUT /persona", testkit.Request{Method: "PUT", Path: "/persona", Token: userTok, Body: map[string]any{"id": user.IDPersona, "nombres": "Cortada"}}},
		{"GET /api/pos/clientes/search", testkit.Request{Method: "GET", Path: "/api/pos/clientes/search?name=maria", Token: userTok}},
		{"POST /mail", testkit.Request{Method: "POST", Path: "/mail", Token: adminTok,
			Body: map[string]string{"email": "destino@kantuta.test", "subject": "Pedido", "message": "Hola"}}},
	}
	serving := func() bool {
		return app.Get("/readyz", "").Status == 200 &&
			app.Get(fmt.Sprintf("/usuario/%d", user.ID), adminTok).Status == 200 &&
			reg.one() == http.StatusCreated
	}
	if !serving() {
		t.Fatal("not serving before the outage")
	}

	faults := []struct {
		name         string
		cut, restore func()
		bound        time.Duration
	}{
		{"refused", proxy.Stop, func() {
			if err := proxy.Start(); err != nil {
				t.Fatalf("restart proxy: %v", err)
			}
		}, time.Second},
		{"black hole", func() {
			_, err := proxy.Toxics.AddToxicJson(strings.NewReader(`{"name":"blackhole","type":"timeout","stream":"upstream","attributes":{"timeout":0}}`))
			if err != nil {
				t.Fatalf("add toxic: %v", err)
			}
		}, func() {
			if err := proxy.Toxics.RemoveToxic(context.Background(), "blackhole"); err != nil {
				t.Fatalf("remove toxic: %v", err)
			}
		}, requestTimeout + 1500*time.Millisecond},
	}
	for _, f := range faults {
		f.cut()
		slowest, slowestName := time.Duration(0), ""
		results := runProbes(app, probes)
		for _, r := range results {
			if r.res.Status != http.StatusServiceUnavailable {
				t.Errorf("%s, %s: %s, want 503", f.name, r.name, r.res)
				continue
			}
			m := r.res.Map(t)
			req, _ := http.NewRequest(r.req.Method, "http://x"+r.req.Path, nil)
			switch familyOf(req) {
			case "clientes":
				if msg, _ := m["message"].(string); msg == "" || m["statusCode"] != nil {
					t.Errorf("%s, %s: not the Clientes 503: %s", f.name, r.name, r.res.Body)
				}
			default:
				if m["statusCode"] != float64(503) || m["message"] == nil || m["request_id"] == "" || m["path"] == nil {
					t.Errorf("%s, %s: not the Nest 503: %s", f.name, r.name, r.res.Body)
				}
			}
			if strings.Contains(strings.ToLower(string(r.res.Body)), "sql") || strings.Contains(string(r.res.Body), "dial") {
				t.Errorf("%s, %s: driver text leaked: %s", f.name, r.name, r.res.Body)
			}
			if r.took > slowest {
				slowest, slowestName = r.took, r.name
			}
		}
		if slowest > f.bound {
			t.Errorf("%s: %s took %v to answer 503 (bound %v)", f.name, slowestName, slowest, f.bound)
		}
		var during []int
		for range 5 {
			during = append(during, reg.one())
		}
		if h := app.Get("/healthz", ""); h.Status != 200 {
			t.Errorf("%s: /healthz %s during the outage", f.name, h)
		}
		f.restore()
		start := time.Now()
		polls := 0
		for !serving() {
			polls++
			if time.Since(start) > 5*time.Second {
				t.Fatalf("%s: full service not back 5 s after the restore", f.name)
			}
			time.Sleep(50 * time.Millisecond)
		}
		recovered := time.Since(start)
		figure(t, "outage %s: %d requests → 503 (Nest, Clientes), slowest %d ms (%s, bound %v); registrations during it %v; full service %d ms after the restore (%d failed polls)",
			f.name, len(results), slowest.Milliseconds(), slowestName, f.bound, during, recovered.Milliseconds(), polls)
		if recovered > 5*time.Second {
			t.Errorf("%s: recovery took %v", f.name, recovered)
		}
	}

	// Nothing written twice or lost.
	created, refused, other := reg.outcome()
	present := emailsPresent(t, direct, append(append([]string{}, created...), refused...))
	var lost, ghost []string
	for _, e := range created {
		if !present[e] {
			lost = append(lost, e)
		}
	}
	for _, e := range refused {
		if present[e] {
			ghost = append(ghost, e)
		}
	}
	in := checkIntegrity(t, direct)
	figure(t, "outage totals: %d registrations answered 201 (%d missing), %d answered 503 (%d present anyway), other %v; %s",
		len(created), len(lost), len(refused), len(ghost), other, in)
	if len(lost) > 0 || len(ghost) > 0 || len(other) > 0 {
		t.Errorf("lost %v, written despite 503 %v, other answers %v", lost, ghost, other)
	}
	// The first admin, the two test usuarios and every 201: nothing twice.
	if want := int64(3 + len(created)); in.Usuarios != want || in.Personas != want || in.OrphanPersonas != 0 {
		t.Errorf("want %d usuarios and personas, got %s", want, in)
	}
}

type probe struct {
	name string
	req  testkit.Request
}

type probeResult struct {
	name string
	req  testkit.Request
	res  *testkit.Response
	took time.Duration
}

// runProbes sends every probe at once and times each answer.
func runProbes(app *testkit.App, probes []probe) []probeResult {
	out := make([]probeResult, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			res := app.Do(p.req)
			out[i] = probeResult{name: p.name, req: p.req, res: res, took: time.Since(start)}
		}()
	}
	wg.Wait()
	return out
}

// registrations sends seed 002 registrations with unique emails and keeps
// what each got.
type registrations struct {
	app     *testkit.App
	prefix  string
	mu      sync.Mutex
	n       int
	created []string
	refused []string
	other   []string
}

func (r *registrations) one() int {
	r.mu.Lock()
	r.n++
	email := fmt.Sprintf("%s-%d@kantuta.test", r.prefix, r.n)
	r.mu.Unlock()
	res := r.app.Do(testkit.Request{Method: "POST", Path: "/usuario/register", Body: registerBody(email)})
	r.mu.Lock()
	defer r.mu.Unlock()
	switch res.Status {
	case http.StatusCreated:
		r.created = append(r.created, email)
	case http.StatusServiceUnavailable:
		r.refused = append(r.refused, email)
	default:
		r.other = append(r.other, res.String())
	}
	return res.Status
}

func (r *registrations) outcome() (created, refused, other []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.created, r.refused, r.other
}

// startProxy runs a toxiproxy proxy on a free loopback port in front of
// upstream, stopped at the end of the test.
func startProxy(t *testing.T, upstream string) *toxiproxy.Proxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "postgres", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("start proxy: %v", err)
	}
	t.Cleanup(p.Stop)
	return p
}
