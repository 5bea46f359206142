package inventario_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/inventario"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// BenchmarkProductList measures GET /inventario/producto with 5,000
// products on PostgreSQL (SPEC §10: p95 ≤ 20 ms) and on SQLite, through
// the whole app on a loopback HTTP server, with 1 and 4 concurrent
// clients, and reports p50/p95/p99 latency and the process's CPU time per
// request (server and client: they share the process; a -cpuprofile
// focused on listProductos gives the server's part). Responses are not
// checked against the OpenAPI document here (that check would dominate
// the timing). Run with
//
//	go test -run XXX -bench ProductList -benchtime 300x -benchmem ./internal/inventario/
func BenchmarkProductList(b *testing.B) {
	b.Setenv(testkit.EnvValidateOpenAPI, "0")
	b.Run("postgres", func(b *testing.B) {
		db := testkit.NewPostgres(b)
		if db == nil {
			b.Skip("PostgreSQL not reachable")
		}
		benchProductList(b, db)
	})
	b.Run("sqlite", func(b *testing.B) { benchProductList(b, testkit.NewSQLite(b)) })
}

func benchProductList(b *testing.B, db *database.DB) {
	app := testkit.NewApp(b, db)
	tok := app.Token(role.User)
	if err := inventario.SeedDemo(context.Background(), db, 5000, nil); err != nil {
		b.Fatal(err)
	}
	// The encoding is set explicitly: Go's client would otherwise ask for
	// gzip and measure the compressed answer (what a browser gets) only.
	encoding := "identity"
	get := func() (time.Duration, int) {
		req, _ := http.NewRequest(http.MethodGet, app.URL+"/inventario/producto", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept-Encoding", encoding)
		start := time.Now()
		res, err := app.Client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
		return time.Since(start), int(n)
	}
	for i := 0; i < 20; i++ { // warm up: connections, plan cache
		get()
	}
	for _, run := range []struct {
		encoding string
		clients  int
	}{{"identity", 1}, {"identity", 4}, {"gzip", 1}} {
		encoding = run.encoding
		clients := run.clients
		name := fmt.Sprintf("clients=%d", clients)
		if encoding == "gzip" {
			name += "/gzip"
		}
		b.Run(name, func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			var size int
			var wg sync.WaitGroup
			next := make(chan struct{}, b.N)
			for i := 0; i < b.N; i++ {
				next <- struct{}{}
			}
			close(next)
			cpu := inventario.ProcessCPU()
			b.ResetTimer()
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range next {
						d, n := get()
						mu.Lock()
						lat = append(lat, d)
						size = n
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			cpu = inventario.ProcessCPU() - cpu
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(q(0.50), "p50_ms")
			b.ReportMetric(q(0.95), "p95_ms")
			b.ReportMetric(q(0.99), "p99_ms")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu_ms/op")
			}
			b.ReportMetric(float64(size), "bytes/resp")
		})
	}
}
