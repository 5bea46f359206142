package inventario

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// Movement types of movimiento_stock.
const (
	TipoAlta      = "ALTA"
	TipoAjuste    = "AJUSTE"
	TipoCompra    = "COMPRA"
	TipoVenta     = "VENTA"
	TipoAnulacion = "ANULACION"
)

// MaxStock is the largest stock a product holds (a 32-bit integer column).
const MaxStock = 2147483647

// StockLine is a product and a quantity (> 0). Callers may repeat a
// product; the Ledger sums per product.
type StockLine struct {
	ProductoID int64
	Cantidad   int64
}

// Product is a product row as a sale needs it, read under lock after the
// change.
type Product struct {
	ID                       int64
	Nombre                   string
	PrecioVenta, CostoCompra money.Cents
	StockActual, StockMinimo int64
	Estado                   bool
	AlertaStockBajo          bool
	// Full is the whole row with its category, as a venta's answer embeds
	// it, when Take read it too (PostgreSQL); nil otherwise.
	Full *Producto
}

// lowFlagWrong says whether evaluate would flip p's low-stock flag: p is
// the row after the change, read under its lock.
func (p Product) lowFlagWrong() bool {
	low := p.StockActual <= p.StockMinimo
	return (p.Estado && low && !p.AlertaStockBajo) || (!low && p.AlertaStockBajo)
}

// StockError says why a decrement failed: Missing (no such product, or an
// inactive one) or insufficient stock (Stock = the current stock).
type StockError struct {
	ProductoID int64
	Nombre     string
	Stock      int64
	Missing    bool
}

func (e *StockError) Error() string {
	if e.Missing {
		return "Producto con ID " + strconv.FormatInt(e.ProductoID, 10) + " no encontrado"
	}
	return "Stock insuficiente para el producto " + e.Nombre + ". Stock actual: " + strconv.FormatInt(e.Stock, 10)
}

// Ledger is the one place that changes stock. Every method runs inside the
// caller's transaction (database.DB.Tx), after the caller locked what comes
// before producto in the lock order of SPEC §13.3 (its sesiones_caja row);
// products are changed in ascending id, each by a conditional UPDATE that
// is its own row lock, never read-modify-written in Go.
type Ledger struct {
	db     *database.DB
	alerts *Alerts
}

// NewLedger builds the ledger; alerts may be nil (no low-stock mails).
func NewLedger(db *database.DB, alerts *Alerts) *Ledger { return &Ledger{db: db, alerts: alerts} }

// sumLines adds up the quantities per product and returns the product ids
// in ascending order, the lock order.
func sumLines(lines []StockLine) ([]int64, map[int64]int64) {
	sum := make(map[int64]int64, len(lines))
	for _, ln := range lines {
		sum[ln.ProductoID] += ln.Cantidad
	}
	ids := make([]int64, 0, len(sum))
	for id := range sum {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, sum
}

const productCols = "id, nombre, precio_venta, costo_compra, stock_actual, stock_minimo, estado, alerta_stock_bajo"

const productReturning = " RETURNING " + productCols

func scanProductRow(rows interface{ Scan(...any) error }) (Product, error) {
	var p Product
	err := rows.Scan(&p.ID, &p.Nombre, &p.PrecioVenta, &p.CostoCompra, &p.StockActual, &p.StockMinimo, &p.Estado, &p.AlertaStockBajo)
	return p, err
}

func scanProduct(tx *gorm.DB, query string, args ...any) (Product, bool, error) {
	rows, err := tx.Raw(query, args...).Rows()
	if err != nil {
		return Product{}, false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return Product{}, false, rows.Err()
	}
	p, err := scanProductRow(rows)
	if err != nil {
		return Product{}, false, err
	}
	return p, true, rows.Close()
}

// Take decrements stock, product by product in ascending id, each with
// UPDATE … WHERE estado AND stock_actual >= q: two sales of the last unit
// give one success and one *StockError, and stock never goes negative (the
// CHECK backs it). It returns the products after the decrement, by id.
func (l *Ledger) Take(tx *gorm.DB, lines []StockLine) (map[int64]Product, error) {
	ids, sum := sumLines(lines)
	if l.db.IsPostgres() {
		out, _, err := l.takeAll(tx, ids, sum, nil)
		return out, err
	}
	out := make(map[int64]Product, len(ids))
	for _, id := range ids {
		q := sum[id]
		if q > MaxStock { // no stock holds that much (and PostgreSQL's int4 parameter could not carry it)
			return nil, l.stockError(tx, id)
		}
		p, ok, err := scanProduct(tx, "UPDATE producto SET stock_actual = stock_actual - ? WHERE id = ? AND estado AND stock_actual >= ?"+productReturning, q, id, q)
		if err != nil {
			return nil, fmt.Errorf("take stock of producto %d: %w", id, err)
		}
		if !ok {
			return nil, l.stockError(tx, id)
		}
		out[id] = p
	}
	return out, nil
}

// First is a query that locks what comes before producto in the lock
// order (a venta's session row), for TakeAfter to run first in the same
// statement. It answers at most one row, scanned into Dest.
type First struct {
	Query string
	Args  []any
	Dest  []any
}

// TakeAfter is Take preceded by first: on PostgreSQL in one statement (one
// round trip less per sale), first as a MATERIALIZED CTE that the
// products' lock waits for, so the lock order holds. found says whether
// first's row was read into its Dest: not when it has no row, nor when no
// product could be taken (the caller then reads it again). The stock is
// taken whatever first's row says: a caller that refuses the write on it
// rolls back.
func (l *Ledger) TakeAfter(tx *gorm.DB, lines []StockLine, first First) (products map[int64]Product, found bool, err error) {
	if !l.db.IsPostgres() {
		if err := tx.Raw(first.Query, first.Args...).Row().Scan(first.Dest...); errors.Is(err, sql.ErrNoRows) {
			// Nothing to take it after: the caller refuses.
			return nil, false, nil
		} else if err != nil {
			return nil, false, err
		}
		products, err = l.Take(tx, lines)
		return products, true, err
	}
	ids, sum := sumLines(lines)
	return l.takeAll(tx, ids, sum, &first)
}

// takeAll is Take in one statement on PostgreSQL (a round trip per
// product was a large share of a sale's), answering each whole row with its
// category too (Product.Full: the venta's answer needs no other read). The
// MATERIALIZED CTE locks the
// rows in ascending id (ORDER BY is applied before FOR UPDATE), and the
// UPDATE reaches a row only after the CTE has returned, so locked, it and
// every smaller id; the conditional decrement is re-checked on the newest
// version of a row another sale changed meanwhile, as a single UPDATE is.
// The first product in ascending id that found no row is the refusal, as
// in the one-by-one path.
func (l *Ledger) takeAll(tx *gorm.DB, ids []int64, sum map[int64]int64, first *First) (map[int64]Product, bool, error) {
	var values strings.Builder
	var args []any
	var pre, gate, from, returning string
	if first != nil {
		pre = "pre AS MATERIALIZED (" + first.Query + "), "
		args = append(args, first.Args...)
		gate, from, returning = " AND EXISTS (SELECT 1 FROM pre)", ", pre", ", pre.*"
	}
	for i, id := range ids {
		q := sum[id]
		if q > MaxStock {
			return nil, false, l.stockError(tx, id)
		}
		if i > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(CAST(? AS BIGINT), CAST(? AS INTEGER))")
		args = append(args, id, q)
	}
	// Only placeholders in the text: one prepared statement per number of
	// products, not one per sale.
	rows, err := tx.Raw("WITH "+pre+"q (id, q) AS (VALUES "+values.String()+"), "+
		"l AS MATERIALIZED (SELECT id FROM producto WHERE id IN (SELECT id FROM q)"+gate+" ORDER BY id FOR UPDATE) "+
		"UPDATE producto p SET stock_actual = p.stock_actual - q.q FROM l, q, categoria c"+from+" "+
		"WHERE p.id = l.id AND q.id = p.id AND c.id = p.id_categoria AND p.estado AND p.stock_actual >= q.q "+
		"RETURNING p.id, p.nombre, p.codigo_barras, p.precio_venta, p.costo_compra, p.stock_actual, p.stock_minimo, p.id_categoria, p.estado, "+
		"p.alerta_stock_bajo, p.id_user_create, p.id_user_update, p.created_at, p.updated_at, "+
		"c.id, c.nombre, c.estado, c.id_user_create, c.id_user_update, c.created_at, c.updated_at"+returning, args...).Rows()
	if err != nil {
		return nil, false, fmt.Errorf("take stock: %w", err)
	}
	out := make(map[int64]Product, len(ids))
	found := false
	for rows.Next() {
		var f Producto
		var p Product
		var created, updated, ccreated, cupdated database.Timestamp
		c := &f.Categoria
		dest := []any{&f.ID, &f.Nombre, &f.CodigoBarras, &f.PrecioVenta, &f.CostoCompra, &f.StockActual, &f.StockMinimo, &f.IDCategoria,
			&f.Estado, &p.AlertaStockBajo, &f.IDUserCreate, &f.IDUserUpdate, &created, &updated,
			&c.ID, &c.Nombre, &c.Estado, &c.IDUserCreate, &c.IDUserUpdate, &ccreated, &cupdated}
		if first != nil {
			dest = append(dest, first.Dest...)
			found = true
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, false, err
		}
		f.CreatedAt, f.UpdatedAt = httpapi.Time(created.Time()), httpapi.Time(updated.Time())
		f.CreatedAtFE, f.UpdatedAtFE = f.CreatedAt, f.UpdatedAt
		c.CreatedAt, c.UpdatedAt = httpapi.Time(ccreated.Time()), httpapi.Time(cupdated.Time())
		p.ID, p.Nombre, p.PrecioVenta, p.CostoCompra, p.StockActual, p.StockMinimo, p.Estado, p.Full =
			f.ID, f.Nombre, f.PrecioVenta, f.CostoCompra, f.StockActual, f.StockMinimo, f.Estado, &f
		out[p.ID] = p
	}
	if err := rows.Close(); err != nil {
		return nil, false, err
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, found, l.stockError(tx, id)
		}
	}
	return out, found, nil
}

// stockError re-reads a product whose decrement found no row.
func (l *Ledger) stockError(tx *gorm.DB, id int64) error {
	var row struct {
		Nombre      string
		StockActual int64
		Estado      bool
	}
	res := tx.Raw("SELECT nombre, stock_actual, estado FROM producto WHERE id = ?", id).Scan(&row)
	if res.Error != nil {
		return fmt.Errorf("re-read producto %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 || !row.Estado {
		return &StockError{ProductoID: id, Missing: true}
	}
	return &StockError{ProductoID: id, Nombre: row.Nombre, Stock: row.StockActual}
}

// Give increments stock in ascending product id (annulment or deletion of
// a venta), also for products deleted since.
func (l *Ledger) Give(tx *gorm.DB, lines []StockLine) (map[int64]Product, error) {
	ids, sum := sumLines(lines)
	out := make(map[int64]Product, len(ids))
	for _, id := range ids {
		if sum[id] > MaxStock {
			return nil, l.overflowError(tx, id)
		}
		p, ok, err := scanProduct(tx, "UPDATE producto SET stock_actual = stock_actual + ? WHERE id = ? AND stock_actual <= ?"+productReturning,
			sum[id], id, MaxStock-sum[id])
		if err != nil {
			return nil, fmt.Errorf("give stock to producto %d: %w", id, err)
		}
		if !ok {
			return nil, l.overflowError(tx, id)
		}
		out[id] = p
	}
	return out, nil
}

// overflowError answers an increment that found no row: no such product
// (*StockError), or the sum would pass MaxStock.
func (l *Ledger) overflowError(tx *gorm.DB, id int64) error {
	var n int64
	if err := tx.Raw("SELECT COUNT(*) FROM producto WHERE id = ?", id).Scan(&n).Error; err != nil {
		return fmt.Errorf("re-read producto %d: %w", id, err)
	}
	if n == 0 { // Give serves deleted products too: only a missing row is missing
		return &StockError{ProductoID: id, Missing: true}
	}
	return ErrStockOverflow
}

// ErrStockOverflow: the change would take stock_actual past MaxStock.
var ErrStockOverflow = errors.New("stock_actual no debe ser mayor que 2147483647")

// Record writes one movimiento_stock row per product (VENTA with a negative
// cantidad for sign -1, ANULACION/COMPRA positive for +1; id_referencia =
// ref; stock_resultante read after the change), then re-evaluates the
// low-stock flag of those products (SPEC §12.3). becameLow is true when at
// least one of them became low in this change: the caller then publishes
// producto/stock_bajo after its own events.
func (l *Ledger) Record(tx *gorm.DB, tipo string, ref, user int64, lines []StockLine, sign int) (becameLow bool, err error) {
	ids, sum := sumLines(lines)
	if err := l.moves(tx, ids, sum, tipo, int64(sign), ref, user); err != nil {
		return false, err
	}
	return l.evaluate(tx, ids)
}

// moves inserts one movement per product of ids, sign × its sum, with one
// statement (a round trip per product was the sale's largest share of
// them): each resulting stock read from the row the caller changed (and
// locked) in this transaction, rows in ascending product id.
func (l *Ledger) moves(tx *gorm.DB, ids []int64, sum map[int64]int64, tipo string, sign, ref, user int64) error {
	var cases strings.Builder
	args := []any{tipo}
	var in []int64
	for _, id := range ids {
		if sum[id] == 0 {
			continue
		}
		cases.WriteString(" WHEN ? THEN CAST(? AS INTEGER)")
		args = append(args, id, sign*sum[id])
		in = append(in, id)
	}
	if len(in) == 0 {
		return nil
	}
	args = append(args, nullID(ref), nullID(user))
	err := tx.Exec("INSERT INTO movimiento_stock (id_producto, tipo, cantidad, stock_resultante, id_referencia, id_user_create, created_at) "+
		"SELECT id, ?, CASE id"+cases.String()+" END, stock_actual, ?, ?, "+l.db.NowSQL()+
		" FROM producto WHERE id IN ("+placeholders(len(in))+") ORDER BY id", append(args, anyIDs(in)...)...).Error
	if err != nil {
		return fmt.Errorf("movimiento_stock %s: %w", tipo, err)
	}
	return nil
}

// RecordTaken is Record for the products Take or Give just changed, given
// as they answered them (the rows after the change, still locked): the
// movements carry those stocks (MovementsSQL), and the low-stock flags are
// evaluated only when one of them is wrong now (Flags).
func (l *Ledger) RecordTaken(tx *gorm.DB, tipo string, ref, user int64, lines []StockLine, sign int, after map[int64]Product) (becameLow bool, err error) {
	q, args, err := l.MovementsSQL(tipo, "?", []any{nullID(ref)}, user, lines, sign, after)
	if err != nil {
		return false, err
	}
	if q != "" {
		if err := tx.Exec(q, args...).Error; err != nil {
			return false, fmt.Errorf("movimiento_stock %s: %w", tipo, err)
		}
	}
	return l.Flags(tx, lines, after)
}

// MovementsSQL is the INSERT of the movements RecordTaken writes, for a
// caller that runs it within a statement of its own (a venta: with the
// venta, whose id refSQL then selects). refSQL is the SQL of id_referencia
// ("?" with refArgs, or an expression); q is empty when nothing moves.
func (l *Ledger) MovementsSQL(tipo, refSQL string, refArgs []any, user int64, lines []StockLine, sign int, after map[int64]Product) (q string, args []any, err error) {
	ids, sum := sumLines(lines)
	var sb strings.Builder
	now := l.db.Time(database.Now())
	for _, id := range ids {
		if sum[id] == 0 {
			continue
		}
		p, ok := after[id]
		if !ok {
			return "", nil, fmt.Errorf("movimiento_stock %s: producto %d was not changed", tipo, id)
		}
		if sb.Len() > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, " + refSQL + ", ?, ?)")
		args = append(args, id, tipo, int64(sign)*sum[id], p.StockActual)
		args = append(args, refArgs...)
		args = append(args, nullID(user), now)
	}
	if sb.Len() == 0 {
		return "", nil, nil
	}
	return "INSERT INTO movimiento_stock (id_producto, tipo, cantidad, stock_resultante, id_referencia, id_user_create, created_at) VALUES " +
		sb.String(), args, nil
}

// Flags evaluates the low-stock flags of the products Take or Give just
// changed (after, as they answered them) when one of them is wrong now: a
// sale that leaves every product above its minimum writes nothing here.
func (l *Ledger) Flags(tx *gorm.DB, lines []StockLine, after map[int64]Product) (becameLow bool, err error) {
	ids, _ := sumLines(lines)
	for _, id := range ids {
		if after[id].lowFlagWrong() {
			return l.evaluate(tx, ids)
		}
	}
	return false, nil
}

// move inserts one movement of delta for product id (moves of one).
func (l *Ledger) move(tx *gorm.DB, id int64, tipo string, delta, ref, user int64) error {
	return l.moves(tx, []int64{id}, map[int64]int64{id: delta}, tipo, 1, ref, user)
}

// evaluate sets the low-stock flag of the products among ids that are low
// now and were not (queuing their alert mails), and clears it for those no
// longer low, which re-arms the alert, in one statement: the flag flips
// where it disagrees with the stock, and the rows flipped to TRUE are the
// new alerts. The conditional UPDATE flips a flag once, however many
// transactions race: one alert per low episode.
func (l *Ledger) evaluate(tx *gorm.DB, ids []int64) (becameLow bool, err error) {
	if len(ids) == 0 {
		return false, nil
	}
	rows, err := tx.Raw("UPDATE producto SET alerta_stock_bajo = NOT alerta_stock_bajo WHERE id IN ("+placeholders(len(ids))+") "+
		"AND ((estado AND NOT alerta_stock_bajo AND stock_actual <= stock_minimo) OR (alerta_stock_bajo AND stock_actual > stock_minimo)) "+
		"RETURNING id, nombre, stock_actual, stock_minimo, id_categoria, alerta_stock_bajo", anyIDs(ids)...).Rows()
	if err != nil {
		return false, fmt.Errorf("low-stock flag: %w", err)
	}
	var low []LowStock
	for rows.Next() {
		var a LowStock
		var cat int64
		var flagged bool
		if err := rows.Scan(&a.ProductoID, &a.Producto, &a.Stock, &a.Minimo, &cat, &flagged); err != nil {
			rows.Close()
			return false, err
		}
		if flagged {
			a.categoriaID = cat
			low = append(low, a)
		}
	}
	if err := rows.Close(); err != nil {
		return false, err
	}
	if len(low) == 0 {
		return false, nil
	}
	sort.Slice(low, func(i, j int) bool { return low[i].ProductoID < low[j].ProductoID })
	if l.alerts != nil {
		if err := l.alerts.queue(tx, low); err != nil {
			return false, err
		}
	}
	return true, nil
}

// placeholders is n comma-separated ? placeholders: ids are bound, so that
// a statement's text (and its prepared statement) depends only on how many.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anyIDs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// idList writes ids into SQL: they are int64 values, never user text.
func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// ctxOf is the request context a transaction carries.
func ctxOf(tx *gorm.DB) context.Context {
	if tx != nil && tx.Statement != nil && tx.Statement.Context != nil {
		return tx.Statement.Context
	}
	return context.Background()
}
