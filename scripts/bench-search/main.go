// Command bench-search measures GET /api/pos/clientes/search latency against
// a running kantuta (see scripts/bench-search.sh): sequential requests, so
// the numbers are latencies rather than a saturation test.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"time"

	"github.com/kantuta/kantuta/internal/auth"
)

// Terms a shop clerk types: names and surnames (accented or not, any case),
// word starts, fragments, two words, two letters, and misses.
var terms = map[string][]string{
	"name prefix":   {"mar", "jos", "carl", "valen", "GABRI", "Sofía", "luis", "ximena", "wil", "édgar"},
	"surname":       {"perez", "Zambrano", "quispe", "cedeño", "villacis", "GONZÁLEZ", "mamani", "toapanta", "loor", "viteri"},
	"fragment":      {"ndez", "ardo", "eño", "rrer", "alva", "ucia", "sant", "ibañ", "quez", "ontal"},
	"two words":     {"maria jose", "juan perez", "ana lucia", "luis torres", "rosa mamani"},
	"two letters":   {"ma", "lu", "jo", "ca", "pe"},
	"no match":      {"xyz", "qwerty", "zzq", "kantuta", "wxyz mn"},
	"literal % / _": {"%", "_", "a%b", "50_"},
}

func main() {
	base := flag.String("url", "http://127.0.0.1:3000", "kantuta base URL")
	secret := flag.String("secret", os.Getenv("JWT_SECRET"), "JWT_SECRET of the server (mints an admin token for usuario 1)")
	rounds := flag.Int("rounds", 40, "passes over the term list")
	flag.Parse()

	tok, err := auth.NewIssuer([]byte(*secret), []byte(*secret+"-refresh"), time.Hour, time.Hour).
		Access(auth.Subject{Kind: auth.KindUsuario, ID: "1", RoleID: 1, Username: "bench"})
	if err != nil {
		fail(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(term string) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, *base+"/api/pos/clientes/search?name="+url.QueryEscape(term), nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			fail(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(start)
		if res.StatusCode != http.StatusOK {
			fail(fmt.Errorf("%q: status %d", term, res.StatusCode))
		}
		return d
	}
	cats := make([]string, 0, len(terms))
	for c, ts := range terms {
		cats = append(cats, c)
		for _, t := range ts { // warm-up
			get(t)
		}
	}
	sort.Strings(cats)
	byCat := map[string][]time.Duration{}
	var all []time.Duration
	for r := 0; r < *rounds; r++ {
		for _, c := range cats {
			for _, t := range terms[c] {
				d := get(t)
				byCat[c] = append(byCat[c], d)
				all = append(all, d)
			}
		}
	}
	fmt.Printf("%-14s %6s %8s %8s %8s %8s\n", "terms", "n", "p50", "p95", "p99", "max")
	for _, c := range cats {
		report(c, byCat[c])
	}
	report("ALL", all)
}

func report(name string, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(p float64) string {
		d := ds[int(p*float64(len(ds)-1))]
		return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
	}
	fmt.Printf("%-14s %6d %8s %8s %8s %8s\n", name, len(ds), q(.50), q(.95), q(.99), q(1))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench-search:", err)
	os.Exit(1)
}
