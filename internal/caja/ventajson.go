package caja

import (
	"github.com/kantuta/kantuta/internal/jsonappend"
	"github.com/kantuta/kantuta/internal/money"
)

// A venta is the point of sale's hottest answer (every POST /ventas, and
// GET /ventas lists every sale ever made): it is written by hand, byte for
// byte what encoding/json writes for Venta (TestVentaJSONMatchesEncoding
// holds them together), without reflection or the re-compacting of what
// the Stamp and Cents marshalers return.

// AppendJSON appends v as JSON (jsonappend.Appender).
func (v Venta) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonappend.Int(b, v.ID)
	b = append(b, `,"id_sesion_caja":`...)
	b = jsonappend.Int(b, v.IDSesionCaja)
	b = append(b, `,"total":`...)
	b = v.Total.AppendJSON(b)
	b = append(b, `,"metodo_pago":`...)
	b = jsonappend.String(b, v.MetodoPago)
	b = append(b, `,"monto_recibido":`...)
	b = appendCentsPtr(b, v.MontoRecibido)
	b = append(b, `,"cambio":`...)
	b = appendCentsPtr(b, v.Cambio)
	b = append(b, `,"estado_venta":`...)
	b = jsonappend.String(b, v.EstadoVenta)
	b = append(b, `,"motivo_edicion":`...)
	b = jsonappend.StringPtr(b, v.MotivoEdicion)
	b = append(b, `,"fecha":`...)
	b = jsonappend.Time(b, v.Fecha.Time())
	b = append(b, `,"fecha_modificacion":`...)
	b = jsonappend.Time(b, v.FechaModificacion.Time())
	b = v.Audit.appendFields(b)
	b = append(b, `,"detalles":`...)
	if v.Detalles == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range v.Detalles {
			if i > 0 {
				b = append(b, ',')
			}
			b = v.Detalles[i].AppendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// AppendJSON appends d as JSON, its product embedded.
func (d Detalle) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonappend.Int(b, d.ID)
	b = append(b, `,"id_venta":`...)
	b = jsonappend.Int(b, d.IDVenta)
	b = append(b, `,"id_producto":`...)
	b = jsonappend.Int(b, d.IDProducto)
	b = append(b, `,"cantidad":`...)
	b = jsonappend.Int(b, d.Cantidad)
	b = append(b, `,"precio_unitario":`...)
	b = d.PrecioUnitario.AppendJSON(b)
	b = append(b, `,"costo_unitario":`...)
	b = d.CostoUnitario.AppendJSON(b)
	b = append(b, `,"subtotal":`...)
	b = d.Subtotal.AppendJSON(b)
	b = d.Audit.appendFields(b)
	b = append(b, `,"producto":`...)
	if d.Producto == nil {
		b = append(b, "null"...)
	} else {
		b = d.Producto.AppendJSON(b)
	}
	return append(b, '}')
}

// appendFields appends the audit columns as the fields of an enclosing
// object (Audit is embedded), each after a comma.
func (a Audit) appendFields(b []byte) []byte {
	b = append(b, `,"estado":`...)
	b = jsonappend.Bool(b, a.Estado)
	b = append(b, `,"id_user_create":`...)
	b = jsonappend.IntPtr(b, a.IDUserCreate)
	b = append(b, `,"id_user_update":`...)
	b = jsonappend.IntPtr(b, a.IDUserUpdate)
	b = append(b, `,"created_at":`...)
	b = jsonappend.Time(b, a.CreatedAt.Time())
	b = append(b, `,"updated_at":`...)
	return jsonappend.Time(b, a.UpdatedAt.Time())
}

func appendCentsPtr(b []byte, c *money.Cents) []byte {
	if c == nil {
		return append(b, "null"...)
	}
	return c.AppendJSON(b)
}
