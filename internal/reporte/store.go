package reporte

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// Store runs the report queries. Boundaries arrive as instants computed in
// Go; no SQL applies a date function to a timestamp column, so the same
// text runs on both databases and uses the indexes.
type Store struct {
	db      *database.DB
	maxRows int
}

// NewStore builds the store; maxRows is REPORT_MAX_ROWS.
func NewStore(db *database.DB, maxRows int) *Store { return &Store{db: db, maxRows: maxRows} }

func (s *Store) row(ctx context.Context, q string, args []any, dest ...any) error {
	return s.db.WithContext(ctx).Raw(q, args...).Row().Scan(dest...)
}

func (s *Store) rows(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func found(err error) (bool, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// UsuarioName is the caller's account name, printed as the "auditor" (the
// query string's auditor is ignored, SPEC §14.2).
func (s *Store) UsuarioName(ctx context.Context, id int64) (string, error) {
	var name string
	err := s.row(ctx, "SELECT name FROM usuario WHERE id = ?", []any{id}, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// Day is a local business day: [Start, End) instants and its text key.
type Day struct {
	Key        string // YYYY-MM-DD
	Start, End time.Time
}

// LocalDay is the business day of date d (year, month, day only) in loc.
func LocalDay(d time.Time, loc *time.Location) Day {
	start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	return Day{Key: start.Format(time.DateOnly), Start: start, End: time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)}
}

// Dashboard computes the home screen's figures for year anio and the
// local day today (SPEC §14.3): sales from the §14.4 aggregates, top-ups
// from their dated index. The handler caches the Year and Distribucion
// parts (see cache.go); this computes everything.
func (s *Store) Dashboard(ctx context.Context, anio int, today Day) (Dashboard, error) {
	var out Dashboard
	var err error
	if out.Kpis, err = s.Kpis(ctx, today); err != nil {
		return out, err
	}
	if out.VentasMensuales, out.TopProductos, err = s.Year(ctx, anio); err != nil {
		return out, err
	}
	out.RecargasDistribucion, err = s.Distribucion(ctx, today)
	return out, err
}

// Kpis are today's figures: cheap reads of one day's rows.
func (s *Store) Kpis(ctx context.Context, today Day) (Kpis, error) {
	var out Kpis
	var c money.Cents
	if err := s.row(ctx, "SELECT COALESCE(SUM(total), 0) FROM resumen_ventas_dia WHERE dia = ?", []any{today.Key}, &c); err != nil {
		return out, err
	}
	out.VentasHoy = money.Number(c)
	t0, t1 := s.db.Bound(today.Start), s.db.Bound(today.End)
	if err := s.row(ctx, "SELECT COALESCE(SUM(monto), 0) FROM recargas_clientes WHERE estado AND fecha_hora >= ? AND fecha_hora < ?",
		[]any{t0, t1}, &c); err != nil {
		return out, err
	}
	out.RecargasHoy = money.Number(c)
	if err := s.row(ctx, "SELECT COALESCE(SUM(comision), 0) FROM inyecciones_operadoras WHERE estado AND fecha_hora >= ? AND fecha_hora < ?",
		[]any{t0, t1}, &c); err != nil {
		return out, err
	}
	out.GananciaComisionesHoy = money.Number(c)
	if err := s.row(ctx, "SELECT COUNT(*) FROM producto WHERE estado AND stock_actual <= stock_minimo", nil,
		&out.ProductosStockBajo); err != nil {
		return out, err
	}
	return out, nil
}

// Year is the monthly bars and the top five products of year anio: the
// reads that grow with the year's aggregate rows.
func (s *Store) Year(ctx context.Context, anio int) ([]MesTotal, []TopProducto, error) {
	y := pad4(anio)
	byMonth := map[string]money.Cents{}
	err := s.rows(ctx, `SELECT substr(dia, 1, 7), COALESCE(SUM(total), 0) FROM resumen_ventas_dia
		WHERE dia BETWEEN ? AND ? GROUP BY substr(dia, 1, 7)`, []any{y + "-01-01", y + "-12-31"}, func(r *sql.Rows) error {
		var mes string
		var total money.Cents
		if err := r.Scan(&mes, &total); err != nil {
			return err
		}
		byMonth[mes] = total
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	meses := make([]MesTotal, 12)
	for i, m := range Meses {
		meses[i] = MesTotal{Mes: m, Total: money.Number(byMonth[y+"-"+pad2(i+1)])}
	}

	top := []TopProducto{}
	// The year's row per product (resumen_producto_anio, the sums of its
	// resumen_producto_mes rows): one row per product sold, not twelve.
	// Only the rows at or above the fifth largest cantidad are named (ties
	// on it included, for the order by nombre): joining every product of
	// the year to sort by name cost twice the rest.
	err = s.rows(ctx, `SELECT p.nombre, r.cantidad, r.importe - r.costo FROM resumen_producto_anio r
		JOIN producto p ON p.id = r.id_producto WHERE r.anio = ? AND r.cantidad >= (SELECT COALESCE(MIN(t.c), 1)
			FROM (SELECT cantidad AS c FROM resumen_producto_anio WHERE anio = ? AND cantidad > 0 ORDER BY cantidad DESC LIMIT 5) t)
		ORDER BY r.cantidad DESC, p.nombre LIMIT 5`, []any{anio, anio}, func(r *sql.Rows) error {
		var t TopProducto
		var g money.Cents
		if err := r.Scan(&t.Nombre, &t.Cantidad, &g); err != nil {
			return err
		}
		t.Ganancia = money.Number(g)
		top = append(top, t)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return meses, top, nil
}

// Distribucion is this local month's top-ups by operator, month to date,
// always Entel, Viva, Tigo.
func (s *Store) Distribucion(ctx context.Context, today Day) ([]ProveedorTotal, error) {
	t1 := s.db.Bound(today.End)
	monthStart := time.Date(today.Start.Year(), today.Start.Month(), 1, 0, 0, 0, 0, today.Start.Location())
	byOp := map[string]money.Cents{}
	err := s.rows(ctx, `SELECT operadora, COALESCE(SUM(monto), 0) FROM recargas_clientes
		WHERE estado AND fecha_hora >= ? AND fecha_hora < ? GROUP BY operadora`,
		[]any{s.db.Bound(monthStart), t1}, func(r *sql.Rows) error {
			var op string
			var total money.Cents
			if err := r.Scan(&op, &total); err != nil {
				return err
			}
			byOp[op] = total
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]ProveedorTotal, len(distribucion))
	for i, op := range distribucion {
		out[i] = ProveedorTotal{Proveedor: op, Total: money.Number(byOp[op])}
	}
	return out, nil
}

// VentasRango lists the ventas of the local days d0..d1, annulled ones
// included, newest first, at most maxRows (the newest). The counted sums
// come from resumen_ventas_dia (the same days, maintained with every sale,
// equal to the raw rows: TestAggregatesEqualRawRows); the count of rows,
// annulled included, from the venta(fecha, id) index.
func (s *Store) VentasRango(ctx context.Context, d0, d1 Day) (VentasTotales, []VentaFila, bool, error) {
	var tot VentasTotales
	args := []any{s.db.Bound(d0.Start), s.db.Bound(d1.End)}
	if err := s.row(ctx, "SELECT COUNT(*) FROM venta v WHERE v.estado AND v.fecha >= ? AND v.fecha < ?", args,
		&tot.TotalTransacciones); err != nil {
		return tot, nil, false, err
	}
	by := map[string]money.Cents{}
	err := s.rows(ctx, `SELECT metodo_pago, COALESCE(SUM(total), 0) FROM resumen_ventas_dia WHERE dia BETWEEN ? AND ? GROUP BY metodo_pago`,
		[]any{d0.Key, d1.Key}, func(r *sql.Rows) error {
			var m string
			var c money.Cents
			if err := r.Scan(&m, &c); err != nil {
				return err
			}
			by[m] = c
			return nil
		})
	if err != nil {
		return tot, nil, false, err
	}
	ef, qr, tr := by["EFECTIVO"], by["QR"], by["TRANSFERENCIA"]
	sum := ef + qr + tr
	tot.TotalVendido = money.Number(sum)
	tot.Desglose = Desglose{Efectivo: money.Number(ef), QR: money.Number(qr), Transferencia: money.Number(tr), DigitalTotal: money.Number(sum)}
	out := []VentaFila{}
	err = s.rows(ctx, `SELECT v.id, v.fecha, v.total, v.metodo_pago, v.estado_venta FROM venta v
		WHERE v.estado AND v.fecha >= ? AND v.fecha < ? ORDER BY v.fecha DESC, v.id DESC LIMIT ?`,
		append(args, s.maxRows), func(r *sql.Rows) error {
			var f VentaFila
			var ts database.Timestamp
			var total money.Cents
			if err := r.Scan(&f.ID, &ts, &total, &f.MetodoPago, &f.EstadoVenta); err != nil {
				return err
			}
			f.Fecha, f.Total = httpapi.Time(ts.Time()), money.Number(total)
			out = append(out, f)
			return nil
		})
	return tot, out, tot.TotalTransacciones > int64(len(out)), err
}

// ComprasRango lists the compras of [t0, t1), newest first.
func (s *Store) ComprasRango(ctx context.Context, t0, t1 time.Time) ([]CompraFila, money.Cents, bool, error) {
	args := []any{s.db.Bound(t0), s.db.Bound(t1)}
	var n int64
	var total money.Cents
	if err := s.row(ctx, "SELECT COUNT(*), COALESCE(SUM(total), 0) FROM compra WHERE estado AND fecha >= ? AND fecha < ?",
		args, &n, &total); err != nil {
		return nil, 0, false, err
	}
	out := []CompraFila{}
	err := s.rows(ctx, `SELECT id, fecha, proveedor, pagado_con_caja, total FROM compra
		WHERE estado AND fecha >= ? AND fecha < ? ORDER BY fecha DESC, id DESC LIMIT ?`, append(args, s.maxRows),
		func(r *sql.Rows) error {
			var f CompraFila
			var ts database.Timestamp
			var prov sql.NullString
			var t money.Cents
			if err := r.Scan(&f.ID, &ts, &prov, &f.PagadoConCaja, &t); err != nil {
				return err
			}
			f.Fecha, f.Total, f.Proveedor = httpapi.Time(ts.Time()), money.Number(t), prov.String
			if !prov.Valid || strings.TrimSpace(prov.String) == "" {
				f.Proveedor = "Sin Proveedor"
			}
			out = append(out, f)
			return nil
		})
	return out, total, n > int64(len(out)), err
}

// Inventario lists the active products, fewest in stock first, and values
// the whole stock at cost and at price.
func (s *Store) Inventario(ctx context.Context) ([]InventarioFila, InventarioResumen, bool, error) {
	var res InventarioResumen
	var n int64
	var costo, precio money.Cents
	if err := s.row(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN stock_actual <= stock_minimo THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(costo_compra * stock_actual), 0), COALESCE(SUM(precio_venta * stock_actual), 0)
		FROM producto WHERE estado`, nil, &n, &res.ItemsBajoStock, &costo, &precio); err != nil {
		return nil, res, false, err
	}
	res.TotalCosto, res.TotalPrecio, res.GananciaProyectada = money.Number(costo), money.Number(precio), money.Number(precio-costo)
	out := []InventarioFila{}
	err := s.rows(ctx, `SELECT p.codigo_barras, p.nombre, c.nombre, p.stock_actual, p.stock_minimo, p.costo_compra, p.precio_venta
		FROM producto p LEFT JOIN categoria c ON c.id = p.id_categoria
		WHERE p.estado ORDER BY p.stock_actual, p.nombre, p.id LIMIT ?`, []any{s.maxRows}, func(r *sql.Rows) error {
		var f InventarioFila
		var code, cat sql.NullString
		var min int64
		var c, p money.Cents
		if err := r.Scan(&code, &f.Nombre, &cat, &f.StockActual, &min, &c, &p); err != nil {
			return err
		}
		f.CodigoBarras, f.Categoria = orDash(code), orDash(cat)
		f.BajoStock, f.Costo, f.Precio = f.StockActual <= min, money.Number(c), money.Number(p)
		out = append(out, f)
		return nil
	})
	return out, res, n > int64(len(out)), err
}

func orDash(s sql.NullString) string {
	if !s.Valid || strings.TrimSpace(s.String) == "" {
		return "-"
	}
	return s.String
}

// Productividad sums counted ventas per seller over local days d0..d1
// (inclusive) from the day aggregate; operador 0 means everyone.
func (s *Store) Productividad(ctx context.Context, d0, d1 string, operador int64) ([]OperadorFila, error) {
	q := `SELECT u.name, SUM(r.n), COALESCE(SUM(r.total), 0) FROM resumen_ventas_dia r JOIN usuario u ON u.id = r.id_usuario
		WHERE r.dia BETWEEN ? AND ?`
	args := []any{d0, d1}
	if operador > 0 {
		q += " AND r.id_usuario = ?"
		args = append(args, operador)
	}
	q += " GROUP BY u.id, u.name HAVING SUM(r.n) > 0 ORDER BY 3 DESC, 1"
	out := []OperadorFila{}
	err := s.rows(ctx, q, args, func(r *sql.Rows) error {
		var f OperadorFila
		var t money.Cents
		if err := r.Scan(&f.Operador, &f.CantidadVentas, &t); err != nil {
			return err
		}
		f.TotalFacturado = money.Number(t)
		out = append(out, f)
		return nil
	})
	return out, err
}

// SesionOwner says whether the session exists (active) and whose it is.
func (s *Store) SesionOwner(ctx context.Context, id int64) (owner int64, ok bool, err error) {
	ok, err = found(s.row(ctx, "SELECT id_usuario FROM sesiones_caja WHERE id = ? AND estado", []any{id}, &owner))
	return owner, ok, err
}

// MovCaja is a session's cash movements, all origins, oldest first.
func (s *Store) MovCaja(ctx context.Context, id int64) (MovCaja, bool, error) {
	var out MovCaja
	var apertura database.Timestamp
	var cierre *database.Timestamp
	var inicial, saldo money.Cents
	var teorico money.NullCents
	var estado string
	ok, err := found(s.row(ctx, `SELECT s.id, c.nombre, s.fecha_apertura, s.fecha_cierre, s.monto_inicial, s.estado_sesion,
		s.monto_final_teorico, c.saldo FROM sesiones_caja s JOIN cajas c ON c.id = s.id_caja WHERE s.id = ? AND s.estado`,
		[]any{id}, &out.Sesion.ID, &out.Sesion.CajaNombre, &apertura, &cierre, &inicial, &estado, &teorico, &saldo))
	if !ok || err != nil {
		return out, ok, err
	}
	out.Sesion.FechaApertura = httpapi.Time(apertura.Time())
	if cierre != nil {
		t := httpapi.Time(cierre.Time())
		out.Sesion.FechaCierre = &t
	}
	out.Sesion.MontoInicial = money.Number(inicial)
	// Open: the drawer's live saldo (it equals the expected cash while the
	// session is open); closed: what was expected at the close.
	out.Sesion.SaldoActualTeorico = money.Number(saldo)
	if estado != "ABIERTA" && teorico.Valid {
		out.Sesion.SaldoActualTeorico = money.Number(teorico.Cents)
	}
	tot, n, err := s.totales(ctx, "FROM movimientos_caja m WHERE m.estado AND m.id_sesion_caja = ?", id)
	if err != nil {
		return out, true, err
	}
	out.Totales = tot
	// The newest maxRows, answered oldest first.
	out.Movimientos = []MovimientoFila{}
	err = s.rows(ctx, `SELECT m.id, m.fecha, m.tipo, m.motivo, m.monto FROM movimientos_caja m
		WHERE m.estado AND m.id_sesion_caja = ? ORDER BY m.fecha DESC, m.id DESC LIMIT ?`, []any{id, s.maxRows},
		func(r *sql.Rows) error {
			var f MovimientoFila
			var ts database.Timestamp
			var m money.Cents
			if err := r.Scan(&f.ID, &ts, &f.Tipo, &f.Motivo, &m); err != nil {
				return err
			}
			f.Fecha, f.Monto = httpapi.Time(ts.Time()), money.Number(m)
			out.Movimientos = append(out.Movimientos, f)
			return nil
		})
	reverse(out.Movimientos)
	out.Truncado = n > int64(len(out.Movimientos))
	return out, true, err
}

func (s *Store) totales(ctx context.Context, from string, args ...any) (Totales, int64, error) {
	var in, eg money.Cents
	var n int64
	err := s.row(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN m.tipo = 'INGRESO' THEN m.monto ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.tipo = 'EGRESO' THEN m.monto ELSE 0 END), 0) `+from, args, &n, &in, &eg)
	return Totales{Ingresos: money.Number(in), Egresos: money.Number(eg), Neto: money.Number(in - eg)}, n, err
}

// CajaHistorial is the movements of every session of a caja, oldest first.
func (s *Store) CajaHistorial(ctx context.Context, id int64) (CajaHistorial, bool, error) {
	var out CajaHistorial
	ok, err := found(s.row(ctx, "SELECT id, nombre FROM cajas WHERE id = ?", []any{id}, &out.Caja.ID, &out.Caja.Nombre))
	if !ok || err != nil {
		return out, ok, err
	}
	from := "FROM movimientos_caja m JOIN sesiones_caja s ON s.id = m.id_sesion_caja WHERE s.id_caja = ? AND m.estado"
	tot, n, err := s.totales(ctx, from, id)
	if err != nil {
		return out, true, err
	}
	out.Totales = tot
	out.Movimientos = []HistorialFila{}
	err = s.rows(ctx, `SELECT m.id, m.fecha, m.id_sesion_caja, m.tipo, m.motivo, m.monto `+from+
		` ORDER BY m.fecha DESC, m.id DESC LIMIT ?`, []any{id, s.maxRows}, func(r *sql.Rows) error {
		var f HistorialFila
		var ts database.Timestamp
		var m money.Cents
		if err := r.Scan(&f.ID, &ts, &f.IDSesion, &f.Tipo, &f.Motivo, &m); err != nil {
			return err
		}
		f.Fecha, f.Monto = httpapi.Time(ts.Time()), money.Number(m)
		out.Movimientos = append(out.Movimientos, f)
		return nil
	})
	reverse(out.Movimientos)
	out.Truncado = n > int64(len(out.Movimientos))
	return out, true, err
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// Ticket is an active venta (any estado_venta) with its active lines.
func (s *Store) Ticket(ctx context.Context, id int64) (Ticket, bool, error) {
	var t Ticket
	var ts database.Timestamp
	var cajero sql.NullString
	var total money.Cents
	ok, err := found(s.row(ctx, `SELECT v.id, v.fecha, u.name, v.metodo_pago, v.estado_venta, v.total
		FROM venta v LEFT JOIN usuario u ON u.id = v.id_user_create WHERE v.id = ? AND v.estado`,
		[]any{id}, &t.ID, &ts, &cajero, &t.MetodoPago, &t.EstadoVenta, &total))
	if !ok || err != nil {
		return t, ok, err
	}
	t.Fecha, t.Total, t.Cajero = httpapi.Time(ts.Time()), money.Number(total), cajero.String
	if !cajero.Valid {
		t.Cajero = "Sistema"
	}
	t.Detalles = []TicketLinea{}
	err = s.rows(ctx, `SELECT p.nombre, d.cantidad, d.precio_unitario, d.subtotal FROM detalles_venta d
		LEFT JOIN producto p ON p.id = d.id_producto WHERE d.id_venta = ? AND d.estado ORDER BY d.id`, []any{id},
		func(r *sql.Rows) error {
			var l TicketLinea
			var name sql.NullString
			var pu, sub money.Cents
			if err := r.Scan(&name, &l.Cantidad, &pu, &sub); err != nil {
				return err
			}
			l.Nombre, l.PrecioUnitario, l.Subtotal = name.String, money.Number(pu), money.Number(sub)
			if !name.Valid {
				l.Nombre = "Producto"
			}
			t.Detalles = append(t.Detalles, l)
			return nil
		})
	return t, true, err
}

// Ficha is any product row (deleted ones too: old tickets name them).
func (s *Store) Ficha(ctx context.Context, id int64) (Ficha, bool, error) {
	var f Ficha
	var code, cat sql.NullString
	var pv, cc money.Cents
	var ts database.Timestamp
	ok, err := found(s.row(ctx, `SELECT p.id, p.nombre, p.codigo_barras, c.nombre, p.stock_actual, p.stock_minimo,
		p.precio_venta, p.costo_compra, p.created_at FROM producto p LEFT JOIN categoria c ON c.id = p.id_categoria WHERE p.id = ?`,
		[]any{id}, &f.ID, &f.Nombre, &code, &cat, &f.StockActual, &f.StockMinimo, &pv, &cc, &ts))
	if !ok || err != nil {
		return f, ok, err
	}
	if code.Valid {
		f.CodigoBarras = &code.String
	}
	f.Categoria = cat.String
	if !cat.Valid {
		f.Categoria = "Sin categoría"
	}
	f.PrecioVenta, f.CostoCompra, f.FechaIngreso = money.Number(pv), money.Number(cc), httpapi.Time(ts.Time())
	return f, true, nil
}

func pad2(n int) string { return fmt.Sprintf("%02d", n) }

func pad4(n int) string { return fmt.Sprintf("%04d", n) }
