package caja

import (
	"net/http"
	"strings"
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// ventaLineBody is one asked-for line; precio_unitario is accepted and
// ignored (the server's price rules, SPEC §13.3).
type ventaLineBody struct {
	IDProducto     *int64        `json:"id_producto" validate:"required,gt=0"`
	Cantidad       *int64        `json:"cantidad" validate:"required,min=1,max=1000000"`
	PrecioUnitario *money.Amount `json:"precio_unitario" validate:"omitnil,money,mmin=0,mmax=9999999999.99"`
}

// VentaBody is POST /ventas's body.
type VentaBody struct {
	MetodoPago    *string         `json:"metodo_pago" validate:"required,oneof=EFECTIVO QR TRANSFERENCIA"`
	IDSesionCaja  *int64          `json:"id_sesion_caja" validate:"required,gt=0"`
	Detalles      []ventaLineBody `json:"detalles" validate:"required,min=1,max=200,dive"`
	MontoRecibido *money.Amount   `json:"monto_recibido" validate:"omitnil,money,mmin=0,mmax=9999999999.99"`
	IDUserCreate  *int64          `json:"id_user_create"`
	IDUserUpdate  *int64          `json:"id_user_update"`
}

// Input turns a bound body into a sale (user is the caller).
func (b *VentaBody) Input(user int64) SaleInput {
	in := SaleInput{SesionID: *b.IDSesionCaja, MetodoPago: *b.MetodoPago, User: user}
	for _, d := range b.Detalles {
		in.Lines = append(in.Lines, SaleLine{ProductoID: *d.IDProducto, Cantidad: *d.Cantidad})
	}
	if b.MontoRecibido != nil {
		c := cents(b.MontoRecibido)
		in.MontoRecibido = &c
	}
	return in
}

type ventaPatchBody struct {
	EstadoVenta   *string `json:"estado_venta" validate:"omitnil,oneof=ANULADA"`
	MotivoEdicion *string `json:"motivo_edicion" validate:"omitnil,tmax=500"`
	MetodoPago    *string `json:"metodo_pago" validate:"omitnil,oneof=EFECTIVO QR TRANSFERENCIA"`
	IDSesionCaja  *int64  `json:"id_sesion_caja" validate:"omitnil,gt=0"`
	IDUserCreate  *int64  `json:"id_user_create"`
	IDUserUpdate  *int64  `json:"id_user_update"`
}

func (h *Handler) createVenta(w http.ResponseWriter, r *http.Request) error {
	p := caller(r)
	ctx := r.Context()
	var body VentaBody
	bindErr := h.v.Bind(r, &body)
	if bindErr == nil && body.MontoRecibido != nil && *body.MetodoPago != Efectivo {
		bindErr = httpapi.Validation("monto_recibido solo aplica a pagos en EFECTIVO")
	}
	if bindErr != nil {
		// Another usuario's session is a 403 before any 400: read it here.
		// A valid body has it checked under the session lock instead (one
		// query less on every sale).
		if body.IDSesionCaja != nil && *body.IDSesionCaja > 0 {
			s, found, err := h.store.Sesion(ctx, nil, *body.IDSesionCaja)
			if err != nil {
				return err
			}
			if found && s.Estado && !p.IsUsuario(s.IDUsuario) && !isAdmin(p) {
				return forbidden("La sesión de caja pertenece a otro usuario")
			}
		}
		return bindErr
	}
	in := body.Input(p.UsuarioID())
	in.CheckOwner, in.Admin = true, isAdmin(p)
	v, err := h.sales.Create(ctx, in)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, v)
	return nil
}

func (h *Handler) listVentas(w http.ResponseWriter, r *http.Request) error {
	// Streamed: the list may hold every sale ever made.
	return httpapi.StreamList(w, r, "[", "]", func(emit func(any) error) error {
		return h.sales.Each(r.Context(), func(v Venta) error { return emit(v) })
	})
}

func (h *Handler) getVenta(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	v, found, err := h.sales.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if !found {
		return notFound("Venta con ID %d no encontrada o inactiva", id)
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) updateVenta(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	var body ventaPatchBody
	if err := h.v.Bind(r, &body); err != nil {
		return err
	}
	in := ChangeInput{ID: id, MetodoPago: body.MetodoPago, SesionID: body.IDSesionCaja, User: caller(r).UsuarioID()}
	if body.MotivoEdicion != nil {
		m := strings.TrimSpace(*body.MotivoEdicion)
		in.Motivo = &m
	}
	if body.EstadoVenta != nil {
		in.Annul = true
		if body.MetodoPago != nil {
			return httpapi.Validation("Una anulación no admite otros cambios")
		}
		if in.Motivo == nil || *in.Motivo == "" {
			return httpapi.Validation("motivo_edicion es requerido para anular una venta")
		}
	}
	v, err := h.sales.Change(r.Context(), in)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) deleteVenta(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.sales.Change(r.Context(), ChangeInput{ID: id, Delete: true, User: caller(r).UsuarioID()}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

type reporteBody struct {
	FechaInicio *string `json:"fechaInicio" validate:"required,ymd"`
	FechaFin    *string `json:"fechaFin" validate:"required,ymd"`
}

// Reporte is POST /ventas/reporte-resumen's answer: numbers on the wire.
type Reporte struct {
	Metadata struct {
		FechaInicio string       `json:"fechaInicio"`
		FechaFin    string       `json:"fechaFin"`
		EjecutadoEn httpapi.Time `json:"ejecutadoEn"`
	} `json:"metadata"`
	Totales struct {
		TotalVendido       money.Number `json:"totalVendido"`
		TotalTransacciones int64        `json:"totalTransacciones"`
		Desglose           struct {
			Efectivo      money.Number `json:"efectivo"`
			QR            money.Number `json:"qr"`
			Transferencia money.Number `json:"transferencia"`
			DigitalTotal  money.Number `json:"digitalTotal"`
		} `json:"desglose"`
	} `json:"totales"`
	Ventas []ReporteVenta `json:"ventas"`
}

// ReporteVenta is one row of the report.
type ReporteVenta struct {
	ID          int64        `json:"id"`
	Fecha       Stamp        `json:"fecha"`
	Total       money.Number `json:"total"`
	MetodoPago  string       `json:"metodo_pago"`
	EstadoVenta string       `json:"estado_venta"`
}

func (h *Handler) reporte(w http.ResponseWriter, r *http.Request) error {
	var body reporteBody
	if err := h.v.Bind(r, &body); err != nil {
		return err
	}
	d0, _ := httpapi.ParseDate(*body.FechaInicio)
	d1, _ := httpapi.ParseDate(*body.FechaFin)
	if d0.After(d1) {
		return badRequest("La fecha de inicio no puede ser mayor a la fecha de fin")
	}
	if d1.Sub(d0) > 365*24*time.Hour {
		return badRequest("El rango no puede superar 366 días")
	}
	// Local days of KANTUTA_TZ: [inicio 00:00, fin+1 00:00), bound as instants.
	t0 := time.Date(d0.Year(), d0.Month(), d0.Day(), 0, 0, 0, 0, h.loc)
	t1 := time.Date(d1.Year(), d1.Month(), d1.Day()+1, 0, 0, 0, 0, h.loc)
	rows, err := h.db.WithContext(r.Context()).Raw(`SELECT id, fecha, total, metodo_pago, estado_venta FROM venta
		WHERE estado AND fecha >= ? AND fecha < ? ORDER BY id DESC`, h.db.Time(t0), h.db.Time(t1)).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var out Reporte
	out.Metadata.FechaInicio, out.Metadata.FechaFin = d0.Format(time.DateOnly), d1.Format(time.DateOnly)
	out.Metadata.EjecutadoEn = httpapi.Time(time.Now())
	out.Ventas = []ReporteVenta{}
	var ef, qr, tr money.Cents
	for rows.Next() {
		var v ReporteVenta
		var total money.Cents
		if err := rows.Scan(&v.ID, &v.Fecha, &total, &v.MetodoPago, &v.EstadoVenta); err != nil {
			return err
		}
		v.Total = money.Number(total)
		out.Ventas = append(out.Ventas, v)
		if v.EstadoVenta == Anulada {
			continue
		}
		switch v.MetodoPago {
		case Efectivo:
			ef += total
		case QR:
			qr += total
		case Transferencia:
			tr += total
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	t := &out.Totales
	t.TotalTransacciones = int64(len(out.Ventas))
	t.TotalVendido = money.Number(ef + qr + tr)
	t.Desglose.Efectivo, t.Desglose.QR, t.Desglose.Transferencia = money.Number(ef), money.Number(qr), money.Number(tr)
	t.Desglose.DigitalTotal = money.Number(ef + qr + tr)
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}
