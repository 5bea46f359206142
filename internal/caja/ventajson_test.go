package caja

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/inventario"
	"github.com/kantuta/kantuta/internal/money"
)

// The hand-written venta JSON is byte for byte what encoding/json writes
// for Venta: null and present pointers, tricky strings, no lines (nil and
// empty), lines with and without their product.
func TestVentaJSONMatchesEncoding(t *testing.T) {
	uid := int64(4)
	at := func(d time.Duration) Stamp {
		return Stamp{database.Timestamp(time.Date(2026, 7, 10, 14, 22, 0, 123456789, time.UTC).Add(d))}
	}
	ts := httpapi.Time(at(0).Time())
	motivo := "Cliente <devolvió> & \"cambió\" \u2028 \x01 🧉 \xff"
	recibido, cambio := money.Cents(10000), money.Cents(0)
	prod := inventario.Producto{ID: 7, Nombre: "Cámara <4K> & \"pro\"", PrecioVenta: 8550, CostoCompra: 5, StockActual: 3, IDCategoria: 2,
		Categoria: inventario.Categoria{ID: 2, Nombre: "Electrónica", Estado: true, CreatedAt: ts, UpdatedAt: ts},
		Estado:    true, IDUserCreate: &uid, CreatedAt: ts, UpdatedAt: ts, CreatedAtFE: ts, UpdatedAtFE: ts}
	line := func(id int64, p *inventario.Producto) Detalle {
		return Detalle{ID: id, IDVenta: 11, IDProducto: 7, Cantidad: 3, PrecioUnitario: 8550, CostoUnitario: 5, Subtotal: 25650,
			Audit: Audit{Estado: true, IDUserCreate: &uid, CreatedAt: at(0), UpdatedAt: at(time.Hour)}, Producto: p}
	}
	cases := map[string]Venta{
		"zero": {},
		"no lines": {ID: 11, IDSesionCaja: 3, Total: 0, MetodoPago: QR, EstadoVenta: Completada, Detalles: []Detalle{},
			Fecha: at(0), FechaModificacion: at(time.Minute), Audit: Audit{Estado: true, CreatedAt: at(0), UpdatedAt: at(time.Minute)}},
		"cash with change, annulled": {ID: 11, IDSesionCaja: 3, Total: 51300, MetodoPago: Efectivo, MontoRecibido: &recibido, Cambio: &cambio,
			EstadoVenta: Anulada, MotivoEdicion: &motivo, Fecha: at(0), FechaModificacion: at(time.Hour),
			Audit:    Audit{Estado: false, IDUserCreate: &uid, IDUserUpdate: &uid, CreatedAt: at(0), UpdatedAt: at(time.Hour)},
			Detalles: []Detalle{line(21, &prod), line(22, nil)}},
		"negative and large amounts": {ID: 1<<53 + 1, Total: money.Max, MontoRecibido: &recibido, Cambio: func() *money.Cents { c := money.Cents(-5); return &c }(),
			Detalles: []Detalle{line(23, &prod)}},
	}
	for name, v := range cases {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.AppendJSON(nil); string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}
