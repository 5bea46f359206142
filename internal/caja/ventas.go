package caja

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/inventario"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
)

// Stock is what ventas need of inventario's Ledger (the one place that
// changes stock); *inventario.Ledger implements it.
type Stock interface {
	TakeAfter(tx *gorm.DB, lines []inventario.StockLine, first inventario.First) (map[int64]inventario.Product, bool, error)
	Give(tx *gorm.DB, lines []inventario.StockLine) (map[int64]inventario.Product, error)
	RecordTaken(tx *gorm.DB, tipo string, ref, user int64, lines []inventario.StockLine, sign int, after map[int64]inventario.Product) (bool, error)
	MovementsSQL(tipo, refSQL string, refArgs []any, user int64, lines []inventario.StockLine, sign int, after map[int64]inventario.Product) (string, []any, error)
	Flags(tx *gorm.DB, lines []inventario.StockLine, after map[int64]inventario.Product) (bool, error)
}

// Venta is a sale as answered (SPEC §13.1), lines in body order.
type Venta struct {
	ID                int64        `json:"id"`
	IDSesionCaja      int64        `json:"id_sesion_caja"`
	Total             money.Cents  `json:"total"`
	MetodoPago        string       `json:"metodo_pago"`
	MontoRecibido     *money.Cents `json:"monto_recibido"`
	Cambio            *money.Cents `json:"cambio"`
	EstadoVenta       string       `json:"estado_venta"`
	MotivoEdicion     *string      `json:"motivo_edicion"`
	Fecha             Stamp        `json:"fecha"`
	FechaModificacion Stamp        `json:"fecha_modificacion"`
	Audit
	Detalles []Detalle `json:"detalles"`
}

// Detalle is a line of a venta with its product embedded (even one
// deleted since).
type Detalle struct {
	ID             int64       `json:"id"`
	IDVenta        int64       `json:"id_venta"`
	IDProducto     int64       `json:"id_producto"`
	Cantidad       int64       `json:"cantidad"`
	PrecioUnitario money.Cents `json:"precio_unitario"`
	CostoUnitario  money.Cents `json:"costo_unitario"`
	Subtotal       money.Cents `json:"subtotal"`
	Audit
	Producto *inventario.Producto `json:"producto"`
}

const ventaCols = "id, id_sesion_caja, total, metodo_pago, monto_recibido, cambio, estado_venta, motivo_edicion, fecha, " + auditCols

func scanVenta(row interface{ Scan(...any) error }) (Venta, error) {
	var v Venta
	err := row.Scan(append([]any{&v.ID, &v.IDSesionCaja, &v.Total, &v.MetodoPago, &v.MontoRecibido, &v.Cambio,
		&v.EstadoVenta, &v.MotivoEdicion, &v.Fecha}, v.Audit.dest()...)...)
	v.FechaModificacion = v.UpdatedAt
	v.Detalles = []Detalle{}
	return v, err
}

const detalleCols = "id, id_venta, id_producto, cantidad, precio_unitario, costo_unitario, subtotal, " + auditCols

func scanDetalle(row interface{ Scan(...any) error }) (Detalle, error) {
	var d Detalle
	err := row.Scan(append([]any{&d.ID, &d.IDVenta, &d.IDProducto, &d.Cantidad, &d.PrecioUnitario, &d.CostoUnitario,
		&d.Subtotal}, d.Audit.dest()...)...)
	return d, err
}

// Sales runs the venta transactions.
type Sales struct {
	db     *database.DB
	store  *Store
	stock  Stock
	pub    realtime.Publisher
	loc    *time.Location
	drawer *Drawer
}

// NewSales builds the sale service.
func NewSales(db *database.DB, store *Store, stock Stock, pub realtime.Publisher, loc *time.Location) *Sales {
	return &Sales{db: db, store: store, stock: stock, pub: pub, loc: loc, drawer: store.drawer}
}

// SaleLine is a line as asked for.
type SaleLine struct {
	ProductoID int64
	Cantidad   int64
}

// SaleInput is a validated sale.
type SaleInput struct {
	SesionID      int64
	MetodoPago    string
	Lines         []SaleLine
	MontoRecibido *money.Cents
	User          int64
	// CheckOwner: refuse (403) a session of another usuario unless Admin,
	// checked under the session lock before anything else (the handler
	// checks it itself when the body does not bind).
	CheckOwner bool
	Admin      bool
}

func sesionNotOpen(id int64) error {
	return badRequest("La sesión de caja con ID %d no está abierta o no existe", id)
}

// Create runs one sale in one transaction in the lock order: the session
// row (shared, see shareSession), then the products by ascending id (the
// Ledger's conditional decrements), then the aggregates, then the caja. It
// answers the venta as GET /ventas/:id would, from what it wrote.
func (s *Sales) Create(ctx context.Context, in SaleInput) (Venta, error) {
	var out Venta
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		lines := make([]inventario.StockLine, len(in.Lines))
		for i, l := range in.Lines {
			lines[i] = inventario.StockLine{ProductoID: l.ProductoID, Cantidad: l.Cantidad}
		}
		// The session (shared lock) and the stock in one statement; the
		// session's refusals come before the stock's, and roll the stock
		// back.
		var ses lockedSession
		products, found, takeErr := s.stock.TakeAfter(tx, lines, s.drawer.shareSessionFirst(in.SesionID, &ses))
		var se *inventario.StockError
		if takeErr != nil && !errors.As(takeErr, &se) {
			return takeErr
		}
		if !found {
			var err error
			if ses, found, err = s.drawer.shareSession(tx, in.SesionID); err != nil {
				return err
			}
		}
		if in.CheckOwner && found && ses.Estado && ses.IDUsuario != in.User && !in.Admin {
			return forbidden("La sesión de caja pertenece a otro usuario")
		}
		if !found || !ses.Estado || ses.EstadoSesion != Abierta {
			return sesionNotOpen(in.SesionID)
		}
		if ses.Especialidad == SoloAgentes {
			return conflict("La caja %s no admite ventas (especialidad SOLO_AGENTES)", ses.CajaNombre)
		}
		if takeErr != nil {
			return stockErr(takeErr)
		}
		// The server's prices, exact; the client's are ignored.
		var total money.Cents
		subtotals := make([]money.Cents, len(in.Lines))
		for i, l := range in.Lines {
			sub, ok := products[l.ProductoID].PrecioVenta.Mul(l.Cantidad)
			if !ok || total+sub > money.Max {
				return badRequest("total no debe ser mayor que 9999999999.99")
			}
			subtotals[i], total = sub, total+sub
		}
		var cambio *money.Cents
		if in.MontoRecibido != nil {
			if *in.MontoRecibido < total {
				return badRequest("monto_recibido no cubre el total (Bs. %s)", total)
			}
			c := *in.MontoRecibido - total
			cambio = &c
		}
		t := database.Now()
		ts := s.db.Time(t)
		var recibido, cambioArg any
		if cambio != nil {
			recibido, cambioArg = s.db.Money(*in.MontoRecibido), s.db.Money(*cambio)
		}
		ventaQ := `INSERT INTO venta (id_sesion_caja, total, metodo_pago, monto_recibido, cambio, fecha, id_user_create, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
		ventaArgs := []any{in.SesionID, s.db.Money(total), in.MetodoPago, recibido, cambioArg, ts, nullID(in.User), ts, ts}
		agg := make([]aggLine, len(in.Lines))
		for i, l := range in.Lines {
			c, _ := products[l.ProductoID].CostoCompra.Mul(l.Cantidad)
			agg[i] = aggLine{producto: l.ProductoID, cantidad: l.Cantidad, importe: subtotals[i], costo: c}
		}
		var cash []sqlStmt
		if in.MetodoPago == Efectivo && total > 0 {
			q, args := s.drawer.depositSQL(ses.IDCaja, total)
			cash = append(cash, sqlStmt{q, args})
		}
		events := []realtime.Event{{Entity: "caja", Action: "saldo_actualizado"}, {Entity: "producto", Action: "stock_descontado"},
			{Entity: "venta", Action: "creada"}}
		// The lines in one statement; ids follow the VALUES order, so the
		// returned ids sorted are the lines in the body's order.
		lineRow := func(ventaRef string, id int64, sb *strings.Builder, args []any) []any {
			sb.WriteString("INSERT INTO detalles_venta (id_venta, id_producto, cantidad, precio_unitario, costo_unitario, subtotal, id_user_create, created_at, updated_at) VALUES ")
			for i, l := range in.Lines {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(" + ventaRef + ", ?, ?, ?, ?, ?, ?, ?, ?)")
				if ventaRef == "?" {
					args = append(args, id)
				}
				p := products[l.ProductoID]
				args = append(args, l.ProductoID, l.Cantidad, s.db.Money(p.PrecioVenta), s.db.Money(p.CostoCompra),
					s.db.Money(subtotals[i]), nullID(in.User), ts, ts)
			}
			sb.WriteString(" RETURNING id, id_venta")
			return args
		}
		var id int64
		var lineIDs []int64
		readLines := func(rows *sql.Rows, err error) error {
			if err != nil {
				return err
			}
			for rows.Next() {
				var lid int64
				if err := rows.Scan(&lid, &id); err != nil {
					rows.Close()
					return err
				}
				lineIDs = append(lineIDs, lid)
			}
			return rows.Close()
		}
		if s.db.IsPostgres() {
			// Two statements write the rest. The low-stock flags first:
			// they depend only on the products as taken.
			becameLow, err := s.stock.Flags(tx, lines, products)
			if err != nil {
				return err
			}
			if becameLow {
				events = append(events, realtime.Event{Entity: "producto", Action: "stock_bajo"})
			}
			// The venta, its stock movements (the Ledger's statement) and
			// its lines in one statement.
			var sb strings.Builder
			args := append([]any(nil), ventaArgs...)
			sb.WriteString("WITH v AS (" + ventaQ + ")")
			mq, margs, err := s.stock.MovementsSQL(inventario.TipoVenta, "(SELECT id FROM v)", nil, in.User, lines, -1, products)
			if err != nil {
				return err
			}
			if mq != "" {
				sb.WriteString(", m AS (" + mq + ")")
				args = append(args, margs...)
			}
			sb.WriteString(" ")
			args = lineRow("(SELECT id FROM v)", 0, &sb, args)
			rows, err := tx.Raw(sb.String(), args...).Rows()
			if err := readLines(rows, err); err != nil {
				return err
			}
			// Then the rows every sale of the session meets (the day
			// aggregate, the drawer) in a second one, last, so that they
			// stay locked for as short as possible, with the product
			// aggregates and the notification when the publisher can put
			// it there (PostgreSQL's NOTIFY).
			var notify *sqlStmt
			if sp, ok := s.pub.(sqlPublisher); ok {
				q, args, err := sp.PublishSQL(tx, events...)
				if err != nil {
					return err
				}
				notify, events = &sqlStmt{q, args}, nil
			}
			// The day row's upsert last: it writes exactly one row.
			if err := s.execAllWith(tx, append(cash, s.aggregateSQL(t, ses.IDCaja, in.User, in.MetodoPago, total, 1, agg)...), notify); err != nil {
				return err
			}
		} else {
			if err := tx.Raw(ventaQ, ventaArgs...).Row().Scan(&id); err != nil {
				return err
			}
			var sb strings.Builder
			args := lineRow("?", id, &sb, nil)
			rows, err := tx.Raw(sb.String(), args...).Rows()
			if err := readLines(rows, err); err != nil {
				return err
			}
			becameLow, err := s.stock.RecordTaken(tx, inventario.TipoVenta, id, in.User, lines, -1, products)
			if err != nil {
				return err
			}
			if becameLow {
				events = append(events, realtime.Event{Entity: "producto", Action: "stock_bajo"})
			}
			if err := s.execAll(tx, append(cash, s.aggregateSQL(t, ses.IDCaja, in.User, in.MetodoPago, total, 1, agg)...)); err != nil {
				return err
			}
		}
		if len(lineIDs) != len(in.Lines) || id == 0 {
			return fmt.Errorf("venta %d: %d line ids for %d lines", id, len(lineIDs), len(in.Lines))
		}
		sort.Slice(lineIDs, func(i, j int) bool { return lineIDs[i] < lineIDs[j] })
		// The answer is what was just written, as GET /ventas/:id reads it
		// (TestVentaAnswerIsItsRow); only the products with their
		// categories are read.
		stamp := Stamp{database.Timestamp(t)}
		var creator *int64
		if in.User > 0 {
			u := in.User
			creator = &u
		}
		audit := Audit{Estado: true, IDUserCreate: creator, CreatedAt: stamp, UpdatedAt: stamp}
		out = Venta{ID: id, IDSesionCaja: in.SesionID, Total: total, MetodoPago: in.MetodoPago, EstadoVenta: Completada,
			Fecha: stamp, FechaModificacion: stamp, Audit: audit, Detalles: make([]Detalle, len(in.Lines))}
		if cambio != nil {
			r := *in.MontoRecibido
			out.MontoRecibido, out.Cambio = &r, cambio
		}
		// The products as the answer embeds them: read by Take with their
		// category (PostgreSQL), else read now.
		embedded := make(map[int64]inventario.Producto, len(products))
		pids := make(map[int64]bool, len(in.Lines))
		for _, l := range in.Lines {
			if full := products[l.ProductoID].Full; full != nil {
				embedded[l.ProductoID] = *full
			} else {
				pids[l.ProductoID] = true
			}
		}
		if len(pids) > 0 {
			read, err := s.productos(ctx, tx, pids)
			if err != nil {
				return err
			}
			for id, p := range read {
				embedded[id] = p
			}
		}
		for i, l := range in.Lines {
			p := products[l.ProductoID]
			d := Detalle{ID: lineIDs[i], IDVenta: id, IDProducto: l.ProductoID, Cantidad: l.Cantidad, PrecioUnitario: p.PrecioVenta,
				CostoUnitario: p.CostoCompra, Subtotal: subtotals[i], Audit: audit}
			if ep, ok := embedded[l.ProductoID]; ok {
				d.Producto = &ep
			}
			out.Detalles[i] = d
		}
		if len(events) == 0 {
			return nil
		}
		return s.pub.Publish(tx, events...)
	})
	return out, err
}

// sqlPublisher is a Publisher that can hand over its notification as a
// query for the writer to run in a statement of its own
// (realtime.Notifier).
type sqlPublisher interface {
	PublishSQL(tx *gorm.DB, events ...realtime.Event) (string, []any, error)
}

// stockErr words the Ledger's refusals as SPEC §13.2 (400s).
func stockErr(err error) error {
	var se *inventario.StockError
	if errors.As(err, &se) {
		return httpapi.NewError(http.StatusBadRequest, se.Error())
	}
	return err
}

type aggLine struct {
	producto int64
	cantidad int64
	importe  money.Cents
	costo    money.Cents
}

// aggregate adds sign × the venta to the §14.4 aggregates (aggregateSQL),
// in one round trip on PostgreSQL.
func (s *Sales) aggregate(tx *gorm.DB, fecha time.Time, cajaID, user int64, metodo string, total money.Cents, sign int64, lines []aggLine) error {
	return s.execAll(tx, s.aggregateSQL(fecha, cajaID, user, metodo, total, sign, lines))
}

// aggregateSQL is the portable upserts that add sign × a venta to the
// §14.4 aggregates: the product rows of its local month and of its local
// calendar year (resumen_producto_anio, what the dashboard's top products
// read), each one multi-row upsert with the products in ascending id
// (after their rows in the lock order), then its day row. Keys are the
// local day, month and year of fecha in KANTUTA_TZ.
func (s *Sales) aggregateSQL(fecha time.Time, cajaID, user int64, metodo string, total money.Cents, sign int64, lines []aggLine) []sqlStmt {
	local := fecha.In(s.loc)
	byProduct := map[int64]*aggLine{}
	var ids []int64
	for _, l := range lines {
		a, ok := byProduct[l.producto]
		if !ok {
			a = &aggLine{producto: l.producto}
			byProduct[l.producto] = a
			ids = append(ids, l.producto)
		}
		a.cantidad += l.cantidad
		a.importe += l.importe
		a.costo += l.costo
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	rows := make([]productAgg, len(ids))
	for i, id := range ids {
		a := byProduct[id]
		rows[i] = productAgg{producto: id, cantidad: sign * a.cantidad, importe: money.Cents(sign) * a.importe, costo: money.Cents(sign) * a.costo}
	}
	var stmts []sqlStmt
	if len(rows) > 0 {
		q, args := productAggSQL(s.db, "resumen_producto_mes", "mes", local.Format("2006-01"), rows)
		stmts = append(stmts, sqlStmt{q, args})
		q, args = productAggSQL(s.db, "resumen_producto_anio", "anio", local.Year(), rows)
		stmts = append(stmts, sqlStmt{q, args})
	}
	q, args := s.daySQL(fecha, cajaID, user, metodo, money.Cents(sign)*total, sign)
	return append(stmts, sqlStmt{q, args})
}

// sqlStmt is a statement and its arguments.
type sqlStmt struct {
	q    string
	args []any
}

// namedStmt is a statement to run as the CTE name of a larger one.
type namedStmt struct {
	name string
	sqlStmt
}

// execAll runs data-modifying statements that return nothing: on
// PostgreSQL as one statement (all but the last as CTEs, which always run
// to completion), elsewhere one by one. Their order within a statement
// does not matter for locks: the product rows are reached only under the
// products' locks taken before, the day row and the caja only under the
// session's lock, which every other writer of them takes exclusively, and
// every sale runs the same statement.
func (s *Sales) execAll(tx *gorm.DB, stmts []sqlStmt) error {
	return s.execAllWith(tx, stmts, nil)
}

// execAllWith is execAll with a query whose result is not needed (also: a
// notification), which on PostgreSQL rides as one more CTE that the last
// statement's RETURNING reads, so that it runs, once; the last statement
// must then write exactly one row (the day aggregate's upsert does).
func (s *Sales) execAllWith(tx *gorm.DB, stmts []sqlStmt, also *sqlStmt) error {
	if !s.db.IsPostgres() || (len(stmts) == 1 && also == nil) {
		if also != nil {
			stmts = append(stmts, *also)
		}
		for _, st := range stmts {
			if err := tx.Exec(st.q, st.args...).Error; err != nil {
				return err
			}
		}
		return nil
	}
	var sb strings.Builder
	var args []any
	ctes := make([]namedStmt, 0, len(stmts))
	for i, st := range stmts[:len(stmts)-1] {
		ctes = append(ctes, namedStmt{fmt.Sprintf("w%d", i), st})
	}
	if also != nil {
		ctes = append(ctes, namedStmt{"also", *also})
	}
	for i, c := range ctes {
		if i == 0 {
			sb.WriteString("WITH ")
		} else {
			sb.WriteString(", ")
		}
		sb.WriteString(c.name + " AS (" + c.q + ")")
		args = append(args, c.args...)
	}
	last := stmts[len(stmts)-1]
	sb.WriteString(" " + last.q)
	args = append(args, last.args...)
	if also == nil {
		return tx.Exec(sb.String(), args...).Error
	}
	sb.WriteString(" RETURNING (SELECT count(*) FROM also)")
	rows, err := tx.Raw(sb.String(), args...).Rows()
	if err != nil {
		return err
	}
	var n int64
	for rows.Next() {
		var one int64
		if err := rows.Scan(&one); err != nil {
			rows.Close()
			return err
		}
		n += one
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("the notification ran %d times", n)
	}
	return nil
}

// productAgg is one product's delta (or sum) in a product aggregate.
type productAgg struct {
	producto       int64
	cantidad       int64
	importe, costo money.Cents
}

// productAggSQL is the multi-row upsert that adds rows to the product
// aggregate table (keyed by keyCol = key and id_producto); both databases
// apply the VALUES in order, so rows sorted by product keep the lock
// order. Each product appears once (a statement may not update a row
// twice). table and keyCol are constants of this package.
func productAggSQL(db *database.DB, table, keyCol string, key any, rows []productAgg) (string, []any) {
	var sb strings.Builder
	args := make([]any, 0, 5*len(rows))
	sb.WriteString("INSERT INTO " + table + " (" + keyCol + ", id_producto, cantidad, importe, costo) VALUES ")
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, key, r.producto, r.cantidad, db.Money(r.importe), db.Money(r.costo))
	}
	sb.WriteString(" ON CONFLICT (" + keyCol + ", id_producto) DO UPDATE SET cantidad = " + table + ".cantidad + excluded.cantidad, importe = " +
		table + ".importe + excluded.importe, costo = " + table + ".costo + excluded.costo")
	return sb.String(), args
}

func (s *Sales) aggregateDay(tx *gorm.DB, fecha time.Time, cajaID, user int64, metodo string, total money.Cents, n int64) error {
	q, args := s.daySQL(fecha, cajaID, user, metodo, total, n)
	return tx.Exec(q, args...).Error
}

// daySQL is the upsert that adds total and n to the day row of fecha.
func (s *Sales) daySQL(fecha time.Time, cajaID, user int64, metodo string, total money.Cents, n int64) (string, []any) {
	return `INSERT INTO resumen_ventas_dia (dia, id_caja, id_usuario, metodo_pago, total, n) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (dia, id_caja, id_usuario, metodo_pago) DO UPDATE SET total = resumen_ventas_dia.total + excluded.total,
		n = resumen_ventas_dia.n + excluded.n`, []any{fecha.In(s.loc).Format(time.DateOnly), cajaID, user, metodo, s.db.Money(total), n}
}

// load reads a venta with its lines and their products.
func (s *Sales) load(ctx context.Context, tx *gorm.DB, id int64) (Venta, error) {
	v, err := scanVenta(s.store.conn(ctx, tx).Raw("SELECT "+ventaCols+" FROM venta WHERE id = ?", id).Row())
	if err != nil {
		return v, err
	}
	list := []Venta{v}
	if err := s.attach(ctx, tx, list); err != nil {
		return v, err
	}
	return list[0], nil
}

// attach fills the lines of the ventas (by id order, which is body order)
// and embeds each line's product.
func (s *Sales) attach(ctx context.Context, tx *gorm.DB, ventas []Venta) error {
	if len(ventas) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(ventas))
	ids := make([]int64, len(ventas))
	for i, v := range ventas {
		idx[v.ID] = i
		ids[i] = v.ID
	}
	q := s.store.conn(ctx, tx)
	var detalles []Detalle
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		page := ids[start:end]
		args := make([]any, len(page))
		for i, id := range page {
			args[i] = id
		}
		rows, err := q.Raw("SELECT "+detalleCols+" FROM detalles_venta WHERE estado AND id_venta IN ("+placeholders(len(page))+") ORDER BY id", args...).Rows()
		part, err := scanAll(rows, err, scanDetalle)
		if err != nil {
			return err
		}
		detalles = append(detalles, part...)
	}
	pids := map[int64]bool{}
	for _, d := range detalles {
		pids[d.IDProducto] = true
	}
	products, err := s.productos(ctx, tx, pids)
	if err != nil {
		return err
	}
	for _, d := range detalles {
		if p, ok := products[d.IDProducto]; ok {
			d.Producto = &p
		}
		v := &ventas[idx[d.IDVenta]]
		v.Detalles = append(v.Detalles, d)
	}
	return nil
}

const productoSelect = `SELECT p.id, p.nombre, p.codigo_barras, p.precio_venta, p.costo_compra, p.stock_actual, p.stock_minimo,
	p.id_categoria, p.estado, p.id_user_create, p.id_user_update, p.created_at, p.updated_at,
	c.id, c.nombre, c.estado, c.id_user_create, c.id_user_update, c.created_at, c.updated_at
	FROM producto p JOIN categoria c ON c.id = p.id_categoria`

// productos reads products by id whatever their estado, as §12's Producto.
func (s *Sales) productos(ctx context.Context, tx *gorm.DB, ids map[int64]bool) (map[int64]inventario.Producto, error) {
	out := make(map[int64]inventario.Producto, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	// Placeholders, not the ids, in the text: one prepared statement per
	// number of products.
	args := make([]any, 0, len(ids))
	for id := range ids {
		args = append(args, id)
	}
	rows, err := s.store.conn(ctx, tx).Raw(productoSelect+" WHERE p.id IN ("+placeholders(len(args))+")", args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p inventario.Producto
		var created, updated, ccreated, cupdated database.Timestamp
		c := &p.Categoria
		if err := rows.Scan(&p.ID, &p.Nombre, &p.CodigoBarras, &p.PrecioVenta, &p.CostoCompra, &p.StockActual, &p.StockMinimo,
			&p.IDCategoria, &p.Estado, &p.IDUserCreate, &p.IDUserUpdate, &created, &updated,
			&c.ID, &c.Nombre, &c.Estado, &c.IDUserCreate, &c.IDUserUpdate, &ccreated, &cupdated); err != nil {
			return nil, err
		}
		p.CreatedAt, p.UpdatedAt = httpapi.Time(created.Time()), httpapi.Time(updated.Time())
		p.CreatedAtFE, p.UpdatedAtFE = p.CreatedAt, p.UpdatedAt
		c.CreatedAt, c.UpdatedAt = httpapi.Time(ccreated.Time()), httpapi.Time(cupdated.Time())
		out[p.ID] = p
	}
	return out, rows.Err()
}

// placeholders is n comma-separated ? placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Get reads an active venta.
func (s *Sales) Get(ctx context.Context, id int64) (Venta, bool, error) {
	v, err := s.load(ctx, nil, id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !v.Estado) {
		return v, false, nil
	}
	return v, err == nil, err
}

// Each calls fn for every active venta, newest first, with its lines, a
// page of listPage at a time (keyset on id), so that a list of a million
// ventas is never held whole in memory.
func (s *Sales) Each(ctx context.Context, fn func(Venta) error) error {
	const listPage = 500
	after := int64(1) << 62
	for {
		rows, err := s.db.WithContext(ctx).Raw("SELECT "+ventaCols+" FROM venta WHERE estado AND id < ? ORDER BY id DESC LIMIT ?", after, listPage).Rows()
		page, err := scanAll(rows, err, scanVenta)
		if err != nil {
			return err
		}
		if err := s.attach(ctx, nil, page); err != nil {
			return err
		}
		for _, v := range page {
			if err := fn(v); err != nil {
				return err
			}
		}
		if len(page) < listPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// ChangeInput is a validated PATCH or DELETE of a venta.
type ChangeInput struct {
	ID         int64
	Annul      bool
	Delete     bool // DELETE: annul unless annulled, then estado = false
	Motivo     *string
	MetodoPago *string
	SesionID   *int64
	User       int64
}

// Change annuls, edits or deletes a venta in one transaction in the lock
// order: its session, its products ascending (stock back exactly once),
// the aggregates, the caja (cash back only while the session is open).
func (s *Sales) Change(ctx context.Context, in ChangeInput) (Venta, error) {
	var out Venta
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var sid int64
		if err := tx.Raw("SELECT id_sesion_caja FROM venta WHERE id = ? AND estado", in.ID).Row().Scan(&sid); errors.Is(err, sql.ErrNoRows) {
			return notFound("Venta con ID %d no encontrada o inactiva", in.ID)
		} else if err != nil {
			return err
		}
		ses, _, err := s.drawer.lockSession(tx, sid)
		if err != nil {
			return err
		}
		// Re-read under the session lock: every writer of a venta holds it.
		v, err := s.load(ctx, tx, in.ID)
		if err != nil {
			return err
		}
		if !v.Estado {
			return notFound("Venta con ID %d no encontrada o inactiva", in.ID)
		}
		open := ses.EstadoSesion == Abierta && ses.Estado
		var events []realtime.Event
		t := database.Now()
		ts := s.db.Time(t)
		switch {
		case in.Delete && v.EstadoVenta == Anulada:
			// Already annulled: stock and cash came back then.
			events = append(events, realtime.Event{Entity: "venta", Action: "eliminada"})
		case in.Annul || in.Delete:
			if v.EstadoVenta == Anulada {
				return conflict("La venta ya está anulada")
			}
			if in.SesionID != nil && *in.SesionID != v.IDSesionCaja {
				return badRequest("id_sesion_caja no se puede modificar")
			}
			cash, err := s.annul(tx, v, ses, open, in.User)
			if err != nil {
				return err
			}
			motivo := "Venta eliminada"
			if in.Motivo != nil {
				motivo = *in.Motivo
			}
			if err := tx.Exec("UPDATE venta SET estado_venta = 'ANULADA', motivo_edicion = ?, id_user_update = ?, updated_at = ? WHERE id = ?",
				motivo, nullID(in.User), ts, v.ID).Error; err != nil {
				return err
			}
			action := "actualizada"
			if in.Delete {
				action = "eliminada"
			}
			events = append(events, realtime.Event{Entity: "venta", Action: action})
			if cash {
				events = append(events, realtime.Event{Entity: "caja", Action: "saldo_actualizado"})
			}
			events = append(events, realtime.Event{Entity: "producto", Action: "stock_actualizado"})
		default:
			if v.EstadoVenta == Anulada {
				return conflict("La venta ya está anulada")
			}
			if in.SesionID != nil && *in.SesionID != v.IDSesionCaja {
				return badRequest("id_sesion_caja no se puede modificar")
			}
			sets := []string{"id_user_update = ?", "updated_at = ?"}
			args := []any{nullID(in.User), ts}
			if in.Motivo != nil {
				sets, args = append(sets, "motivo_edicion = ?"), append(args, *in.Motivo)
			}
			cash := false
			if in.MetodoPago != nil && *in.MetodoPago != v.MetodoPago {
				if !open {
					return conflict("No se puede editar una venta de una sesión cerrada")
				}
				if err := s.moveMetodo(tx, v, ses, *in.MetodoPago); err != nil {
					return err
				}
				cash = v.MetodoPago == Efectivo || *in.MetodoPago == Efectivo
				sets, args = append(sets, "metodo_pago = ?", "estado_venta = 'EDITADA'"), append(args, *in.MetodoPago)
				if *in.MetodoPago != Efectivo {
					sets = append(sets, "monto_recibido = NULL", "cambio = NULL")
				}
			}
			if err := tx.Exec("UPDATE venta SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, v.ID)...).Error; err != nil {
				return err
			}
			events = append(events, realtime.Event{Entity: "venta", Action: "actualizada"})
			if cash {
				events = append(events, realtime.Event{Entity: "caja", Action: "saldo_actualizado"})
			}
		}
		if in.Delete {
			if err := tx.Exec("UPDATE venta SET estado = FALSE, id_user_update = ?, updated_at = ? WHERE id = ?", nullID(in.User), ts, v.ID).Error; err != nil {
				return err
			}
		}
		if out, err = s.load(ctx, tx, v.ID); err != nil {
			return err
		}
		return s.pub.Publish(tx, events...)
	})
	return out, err
}

// annul gives the venta's stock back, takes it out of the aggregates and,
// for EFECTIVO while the session is open, its cash out of the drawer
// (a closed session's figures stay as counted). cash reports a refund.
func (s *Sales) annul(tx *gorm.DB, v Venta, ses lockedSession, open bool, user int64) (cash bool, err error) {
	lines := make([]inventario.StockLine, len(v.Detalles))
	agg := make([]aggLine, len(v.Detalles))
	for i, d := range v.Detalles {
		lines[i] = inventario.StockLine{ProductoID: d.IDProducto, Cantidad: d.Cantidad}
		c, _ := d.CostoUnitario.Mul(d.Cantidad)
		agg[i] = aggLine{producto: d.IDProducto, cantidad: d.Cantidad, importe: d.Subtotal, costo: c}
	}
	if len(lines) > 0 {
		after, err := s.stock.Give(tx, lines)
		if err != nil {
			return false, err
		}
		if _, err := s.stock.RecordTaken(tx, inventario.TipoAnulacion, v.ID, user, lines, 1, after); err != nil {
			return false, err
		}
	}
	seller := int64(0)
	if v.IDUserCreate != nil {
		seller = *v.IDUserCreate
	}
	if err := s.aggregate(tx, v.Fecha.Time(), ses.IDCaja, seller, v.MetodoPago, v.Total, -1, agg); err != nil {
		return false, err
	}
	if v.MetodoPago == Efectivo && open && v.Total > 0 {
		if err := s.drawer.moveSaldo(tx, v.IDSesionCaja, -v.Total); err != nil {
			var funds *InsufficientFunds
			if errors.As(err, &funds) {
				return false, funds.HTTP()
			}
			return false, err
		}
		return true, nil
	}
	return false, nil
}

// moveMetodo moves the venta's total between payment methods: in the
// aggregates, and into or out of the drawer when EFECTIVO is involved.
func (s *Sales) moveMetodo(tx *gorm.DB, v Venta, ses lockedSession, to string) error {
	seller := int64(0)
	if v.IDUserCreate != nil {
		seller = *v.IDUserCreate
	}
	if err := s.aggregateDay(tx, v.Fecha.Time(), ses.IDCaja, seller, v.MetodoPago, -v.Total, -1); err != nil {
		return err
	}
	if err := s.aggregateDay(tx, v.Fecha.Time(), ses.IDCaja, seller, to, v.Total, 1); err != nil {
		return err
	}
	delta := money.Cents(0)
	if v.MetodoPago == Efectivo {
		delta -= v.Total
	}
	if to == Efectivo {
		delta += v.Total
	}
	if err := s.drawer.moveSaldo(tx, v.IDSesionCaja, delta); err != nil {
		var funds *InsufficientFunds
		if errors.As(err, &funds) {
			return funds.HTTP()
		}
		return err
	}
	return nil
}

// ensure fmt stays used for error wording helpers.
var _ = fmt.Sprintf
