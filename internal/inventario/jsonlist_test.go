package inventario

import (
	"encoding/json"
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
