package caja

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// FuzzVentaRequests decodes any body as POST /ventas does (one strict
// decode+validate) and checks that what is accepted is a sale the
// transaction can run: a known payment method, a positive session id,
// 1–200 lines of positive product ids and quantities within 1–1,000,000,
// and amounts that are exact centavos within NUMERIC(12,2).
func FuzzVentaRequests(f *testing.F) {
	f.Add([]byte(`{"metodo_pago":"EFECTIVO","id_sesion_caja":12,"detalles":[{"id_producto":5,"cantidad":2,"precio_unitario":12.5}],"monto_recibido":50}`))
	f.Add([]byte(`{"metodo_pago":"QR","id_sesion_caja":1,"detalles":[{"id_producto":1,"cantidad":1}],"id_user_create":3}`))
	f.Add([]byte(`{"metodo_pago":"QR","id_sesion_caja":1,"detalles":[{"id_producto":1,"cantidad":0,"x":1}]}`))
	f.Add([]byte(`{"metodo_pago":"TRANSFERENCIA","id_sesion_caja":-1,"detalles":[],"monto_recibido":1e400}`))
	f.Add([]byte(`{"detalles":[null,1,"a",{"id_producto":1e3,"cantidad":1000001}]}`))
	f.Add([]byte(`{"metodo_pago":"EFECTIVO","id_sesion_caja":1,"detalles":[{"id_producto":1,"cantidad":1,"precio_unitario":0.001}],"monto_recibido":-0}`))
	v := httpapi.NewValidator()
	registerRules(v)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/ventas", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var b VentaBody
		err := v.Bind(r, &b)
		if err != nil {
			if e := httpapi.AsError(err); e.Status >= 500 {
				t.Fatalf("decode answered %d: %v", e.Status, err)
			}
			return
		}
		in := b.Input(7)
		switch in.MetodoPago {
		case Efectivo, QR, Transferencia:
		default:
			t.Fatalf("metodo_pago %q accepted", in.MetodoPago)
		}
		if in.SesionID <= 0 || len(in.Lines) == 0 || len(in.Lines) > 200 {
			t.Fatalf("accepted session %d with %d lines", in.SesionID, len(in.Lines))
		}
		for _, l := range in.Lines {
			if l.ProductoID <= 0 || l.Cantidad < 1 || l.Cantidad > 1_000_000 {
				t.Fatalf("accepted line %+v", l)
			}
		}
		if in.MontoRecibido != nil && (*in.MontoRecibido < 0 || *in.MontoRecibido > money.Max) {
			t.Fatalf("accepted monto_recibido %v", *in.MontoRecibido)
		}
		for _, d := range b.Detalles {
			if d.PrecioUnitario != nil {
				if c, err := d.PrecioUnitario.Cents(); err != nil || c < 0 {
					t.Fatalf("accepted precio_unitario %q", *d.PrecioUnitario)
				}
			}
		}
	})
}
