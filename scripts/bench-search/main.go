// Command bench-search measures GET /api/pos/clientes/search latency against
// a running kantuta (see scripts/bench-search.sh): sequential requests, so
// the numbers are latencies rather than a saturation test. -param name
// measures search?name= with the name terms below; -param q measures
// search?q= with what a cashier types: cédulas (whole and prefixes), codes,
// phone numbers (taken from customers the server lists) and names.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
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

// qTerms are the search?q= terms: sample customers' identifications,
// codes and phones (read from the listing), names, and misses.
func qTerms(get func(path string) []byte) map[string][]string {
	out := map[string][]string{
		"name":        {"mar", "perez", "juan perez", "Zambrano", "ndez", "GONZÁLEZ", "ma", "édgar"},
		"digits miss": {"0000000000", "9999", "55555555", "3000000000001"},
	}
	for _, page := range []int{1, 97, 1234, 4321, 9876} {
		var list struct {
			Data []struct {
				Codigo   string  `json:"cli_codigo"`
				RucCed   string  `json:"cli_ruc_ced"`
				Telefono string  `json:"cli_telefono"`
				Celular  *string `json:"cli_celular"`
			} `json:"data"`
		}
		if err := json.Unmarshal(get(fmt.Sprintf("/api/pos/clientes?page=%d", page)), &list); err != nil {
			fail(err)
		}
		for i, c := range list.Data {
			if i >= 2 {
				break
			}
			out["cédula exact"] = append(out["cédula exact"], c.RucCed)
			out["cédula prefix"] = append(out["cédula prefix"], c.RucCed[:4], c.RucCed[:7])
			out["code"] = append(out["code"], c.Codigo, strings.ToLower(c.Codigo))
			out["phone"] = append(out["phone"], c.Telefono)
			if c.Celular != nil {
				out["phone"] = append(out["phone"], *c.Celular)
			}
		}
	}
	return out
}

func main() {
	base := flag.String("url", "http://127.0.0.1:3000", "kantuta base URL")
	secret := flag.String("secret", os.Getenv("JWT_SECRET"), "JWT_SECRET of the server (mints an admin token for usuario 1)")
	rounds := flag.Int("rounds", 40, "passes over the term list")
	param := flag.String("param", "name", "name: search?name=; q: search?q=")
	flag.Parse()

	tok, err := auth.NewIssuer([]byte(*secret), []byte(*secret+"-refresh"), time.Hour, time.Hour).
		Access(auth.Subject{Kind: auth.KindUsuario, ID: "1", RoleID: 1, Username: "bench"})
	if err != nil {
		fail(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	fetch := func(path string) []byte {
		req, _ := http.NewRequest(http.MethodGet, *base+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		res, err := client.Do(req)
		if err != nil {
			fail(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return b
	}
	if *param == "q" {
		terms = qTerms(fetch)
	} else if *param != "name" {
		fail(fmt.Errorf("-param must be name or q, got %q", *param))
	}
	get := func(term string) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, *base+"/api/pos/clientes/search?"+*param+"="+url.QueryEscape(term), nil)
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
