package inventario

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// The hand-written product JSON is byte for byte what encoding/json
// writes for Producto, tricky strings included.
func TestProductoJSONMatchesEncoding(t *testing.T) {
	uid, code := int64(3), "77<50>&\"01\\"
	ts := httpapi.Time(time.Date(2026, 7, 10, 14, 22, 0, 123456789, time.UTC))
	for _, c := range []money.Cents{0, 5, 50, 8550, -50, -1, money.Max} {
		want, _ := json.Marshal(c)
		if got := appendCents(nil, c); string(got) != string(want) {
			t.Errorf("appendCents(%d) = %s, want %s", c, got, want)
		}
	}
	for _, tt := range []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.FixedZone("BOT", -4*3600)), time.Date(12026, 1, 2, 3, 4, 5, 6e6, time.UTC)} {
		want, _ := json.Marshal(httpapi.Time(tt))
		if got := appendTime(nil, httpapi.Time(tt)); string(got) != string(want) {
			t.Errorf("appendTime(%v) = %s, want %s", tt, got, want)
		}
	}
	// Every day boundary around the fast path's limits and leap days, and
	// instants spread over years 1 to 12,000.
	var times []time.Time
	for _, d := range []time.Time{time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)} {
		for _, off := range []time.Duration{-24 * time.Hour, -time.Millisecond, -time.Nanosecond, 0, time.Millisecond, 24 * time.Hour} {
			times = append(times, d.Add(off))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for range 100_000 {
		times = append(times, time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1e9)))
	}
	for _, tt := range times {
		want, _ := json.Marshal(httpapi.Time(tt))
		if got := appendTime(nil, httpapi.Time(tt)); string(got) != string(want) {
			t.Fatalf("appendTime(%v) = %s, want %s", tt, got, want)
		}
	}
	names := []string{"Cargador 20W", "Cámara \u2028 \u2029 \x01\x1f\t\n\r\b\f", "<script>&", "\xff\xfebad", "🧉🦙", ""}
	for _, n := range names {
		cat := Categoria{ID: 9, Nombre: n + " cat", Estado: true, IDUserCreate: &uid, CreatedAt: ts, UpdatedAt: ts}
		p := Producto{ID: 7, Nombre: n, PrecioVenta: 8550, CostoCompra: 5, StockActual: 20, StockMinimo: 0, IDCategoria: 9,
			Categoria: cat, Estado: true, IDUserUpdate: &uid, CreatedAt: ts, UpdatedAt: httpapi.Time(time.Time(ts).Add(time.Hour)),
			CreatedAtFE: ts, UpdatedAtFE: httpapi.Time(time.Time(ts).Add(time.Hour))}
		for _, c := range []*string{nil, &code} {
			p.CodigoBarras = c
			want, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got := appendProducto(nil, &p, appendCategoria(nil, &cat))
			if string(got) != string(want) {
				t.Errorf("name %q:\n got %s\nwant %s", n, got, want)
			}
		}
	}
}

// Every byte, alone and next to multi-byte runes, escapes as encoding/json
// escapes it.
func TestAppendStringEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		for _, s := range []string{string([]byte{byte(c)}), "añ" + string([]byte{byte(c)}) + "\u2028x", string([]byte{byte(c), 0xa9})} {
			want, _ := json.Marshal(s)
			if got := appendString(nil, s); string(got) != string(want) {
				t.Errorf("appendString(%q) = %s, want %s", s, got, want)
			}
		}
	}
}

// BenchmarkAppendProducto is the JSON part of the list alone, per product.
func BenchmarkAppendProducto(b *testing.B) {
	uid, code := int64(3), "7790000001234"
	ts := httpapi.Time(time.Date(2026, 7, 10, 14, 22, 0, 123456789, time.UTC))
	cat := appendCategoria(nil, &Categoria{ID: 9, Nombre: "Cargadores", Estado: true, IDUserCreate: &uid, CreatedAt: ts, UpdatedAt: ts})
	p := Producto{ID: 4711, Nombre: "Cargador Andina 4711", CodigoBarras: &code, PrecioVenta: 8550, CostoCompra: 4525, StockActual: 20,
		StockMinimo: 5, IDCategoria: 9, Estado: true, IDUserCreate: &uid, CreatedAt: ts, UpdatedAt: ts, CreatedAtFE: ts, UpdatedAtFE: ts}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	cpu := ProcessCPU()
	for b.Loop() {
		buf = appendProducto(buf[:0], &p, cat)
	}
	if cpu = ProcessCPU() - cpu; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu_ns/op")
	}
	b.SetBytes(int64(len(buf)))
}
