package inventario

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
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

const productReturning = " RETURNING id, nombre, precio_venta, costo_compra, stock_actual, stock_minimo, estado"

func scanProduct(tx *gorm.DB, query string, args ...any) (Product, bool, error) {
	rows, err := tx.Raw(query, args...).Rows()
	if err != nil {
		return Product{}, false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return Product{}, false, rows.Err()
	}
	var p Product
	if err := rows.Scan(&p.ID, &p.Nombre, &p.PrecioVenta, &p.CostoCompra, &p.StockActual, &p.StockMinimo, &p.Estado); err != nil {
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
	for _, id := range ids {
		if err := l.move(tx, id, tipo, int64(sign)*sum[id], ref, user); err != nil {
			return false, err
		}
	}
	return l.evaluate(tx, ids)
}

// move inserts one movement of delta for product id, its resulting stock
// read from the row the caller changed (and locked) in this transaction.
func (l *Ledger) move(tx *gorm.DB, id int64, tipo string, delta, ref, user int64) error {
	if delta == 0 {
		return nil
	}
	err := tx.Exec("INSERT INTO movimiento_stock (id_producto, tipo, cantidad, stock_resultante, id_referencia, id_user_create, created_at) "+
		"SELECT id, ?, ?, stock_actual, ?, ?, "+l.db.NowSQL()+" FROM producto WHERE id = ?",
		tipo, delta, nullID(ref), nullID(user), id).Error
	if err != nil {
		return fmt.Errorf("movimiento_stock %s producto %d: %w", tipo, id, err)
	}
	return nil
}

// evaluate sets the low-stock flag of the products among ids that are low
// now and were not (queuing their alert mails), and clears it for those no
// longer low, which re-arms the alert. The conditional UPDATE flips a flag
// once, however many transactions race: one alert per low episode.
func (l *Ledger) evaluate(tx *gorm.DB, ids []int64) (becameLow bool, err error) {
	if len(ids) == 0 {
		return false, nil
	}
	in := idList(ids)
	rows, err := tx.Raw("UPDATE producto SET alerta_stock_bajo = TRUE WHERE id IN (" + in + ") AND estado AND NOT alerta_stock_bajo " +
		"AND stock_actual <= stock_minimo RETURNING id, nombre, stock_actual, stock_minimo, id_categoria").Rows()
	if err != nil {
		return false, fmt.Errorf("low-stock flag: %w", err)
	}
	var low []LowStock
	for rows.Next() {
		var a LowStock
		var cat int64
		if err := rows.Scan(&a.ProductoID, &a.Producto, &a.Stock, &a.Minimo, &cat); err != nil {
			rows.Close()
			return false, err
		}
		a.categoriaID = cat
		low = append(low, a)
	}
	if err := rows.Close(); err != nil {
		return false, err
	}
	if err := tx.Exec("UPDATE producto SET alerta_stock_bajo = FALSE WHERE id IN (" + in + ") AND alerta_stock_bajo " +
		"AND stock_actual > stock_minimo").Error; err != nil {
		return false, fmt.Errorf("re-arm low-stock flag: %w", err)
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
