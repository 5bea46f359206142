package inventario

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// The hand-written product JSON is byte for byte what encoding/json
// writes for Producto, tricky strings included.
func TestProductoJSONMatchesEncoding(t *testing.T) {
	uid, code := int64(3), "77<50>&\"01\\"
	ts := httpapi.Time(time.Date(2026, 7, 10, 14, 22, 0, 123456789, time.UTC))
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
			if got := p.AppendJSON(nil); string(got) != string(want) {
				t.Errorf("AppendJSON, name %q:\n got %s\nwant %s", n, got, want)
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
