package inventario

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
)

// Store reads inventario rows. Reads use database/sql with one query text
// for both databases (both read $1), scanned column by column: the product
// list is the frontend's hottest read.
type Store struct {
	db *database.DB
	// pgText is set once the product list's results came in a form the raw
	// path does not decode (listpg.go): it then goes to database/sql.
	pgText atomic.Bool
}

// NewStore builds the store.
func NewStore(db *database.DB) *Store { return &Store{db: db} }

var errNotFound = errors.New("not found")

type scanner interface{ Scan(...any) error }

const categoriaCols = "c.id, c.nombre, c.estado, c.id_user_create, c.id_user_update, c.created_at, c.updated_at"

func scanCategoria(row scanner) (Categoria, error) {
	var c Categoria
	var created, updated time.Time
	err := row.Scan(&c.ID, &c.Nombre, &c.Estado, &c.IDUserCreate, &c.IDUserUpdate, &created, &updated)
	c.CreatedAt, c.UpdatedAt = utc(created), utc(updated)
	return c, err
}

// Categorias lists the active categories, newest first.
func (s *Store) Categorias(ctx context.Context) ([]Categoria, error) {
	rows, err := s.db.SQL.QueryContext(ctx, "SELECT "+categoriaCols+" FROM categoria c WHERE c.estado ORDER BY c.id DESC")
	if err != nil {
		return nil, fmt.Errorf("list categorias: %w", err)
	}
	out := []Categoria{}
	err = database.EachRow(rows, func(r *sql.Rows) (Categoria, error) { return scanCategoria(r) }, func(c Categoria) error {
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list categorias: %w", err)
	}
	return out, nil
}

// Categoria returns an active category, or errNotFound.
func (s *Store) Categoria(ctx context.Context, q querier, id int64) (Categoria, error) {
	c, err := scanCategoria(q.QueryRowContext(ctx, "SELECT "+categoriaCols+" FROM categoria c WHERE c.id = $1 AND c.estado", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNotFound
	}
	return c, err
}

// querier is *sql.DB or a transaction's connection.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// txQuerier runs database/sql queries on a GORM transaction's connection.
func txQuerier(tx *gorm.DB) querier {
	if q, ok := tx.Statement.ConnPool.(querier); ok {
		return q
	}
	panic("inventario: transaction has no query connection")
}

const productoSelect = `SELECT p.id, p.nombre, p.codigo_barras, p.precio_venta, p.costo_compra, p.stock_actual, p.stock_minimo,
	p.id_categoria, p.estado, p.id_user_create, p.id_user_update, p.created_at, p.updated_at, ` + categoriaCols + `
FROM producto p JOIN categoria c ON c.id = p.id_categoria`

func scanProducto(row scanner) (Producto, error) {
	var p Producto
	var created, updated, ccreated, cupdated time.Time
	c := &p.Categoria
	err := row.Scan(&p.ID, &p.Nombre, &p.CodigoBarras, &p.PrecioVenta, &p.CostoCompra, &p.StockActual, &p.StockMinimo,
		&p.IDCategoria, &p.Estado, &p.IDUserCreate, &p.IDUserUpdate, &created, &updated,
		&c.ID, &c.Nombre, &c.Estado, &c.IDUserCreate, &c.IDUserUpdate, &ccreated, &cupdated)
	p.CreatedAt, p.UpdatedAt = utc(created), utc(updated)
	p.CreatedAtFE, p.UpdatedAtFE = p.CreatedAt, p.UpdatedAt
	c.CreatedAt, c.UpdatedAt = utc(ccreated), utc(cupdated)
	return p, err
}

// productoList is the list's query without its WHERE. The amounts are the
// columns themselves: on PostgreSQL the raw path decodes NUMERIC's binary
// form (listpg.go), and money.Cents scans SQLite's integer centavos and
// NUMERIC text alike. On SQLite the timestamps are selected as text: for a
// DATETIME column the driver tries time layouts one after another (a
// third of the SQLite list's CPU); database.Timestamp reads the stored
// form directly.
func (s *Store) productoList() string {
	created, updated := "p.created_at", "p.updated_at"
	if !s.db.IsPostgres() {
		created, updated = "CAST(p.created_at AS TEXT)", "CAST(p.updated_at AS TEXT)"
	}
	return `SELECT p.id, p.nombre, p.codigo_barras, p.precio_venta, p.costo_compra, p.stock_actual, p.stock_minimo,
	p.id_categoria, p.estado, p.id_user_create, p.id_user_update, ` + created + `, ` + updated + `
FROM producto p`
}

// productoRow is a reused row of productoList read through database/sql;
// the Null types keep Scan off its reflection path (a **string or **int64
// destination allocates per row).
type productoRow struct {
	p                      Producto
	codigo                 sql.NullString
	userCreate, userUpdate sql.NullInt64
	created, updated       database.Timestamp
}

// scan reads a row of productoList into r.p.
func (r *productoRow) scan(row scanner) error {
	p := &r.p
	err := row.Scan(&p.ID, &p.Nombre, &r.codigo, &p.PrecioVenta, &p.CostoCompra, &p.StockActual, &p.StockMinimo,
		&p.IDCategoria, &p.Estado, &r.userCreate, &r.userUpdate, &r.created, &r.updated)
	p.CodigoBarras, p.IDUserCreate, p.IDUserUpdate = nil, nil, nil
	if r.codigo.Valid {
		p.CodigoBarras = &r.codigo.String
	}
	if r.userCreate.Valid {
		p.IDUserCreate = &r.userCreate.Int64
	}
	if r.userUpdate.Valid {
		p.IDUserUpdate = &r.userUpdate.Int64
	}
	p.CreatedAt, p.UpdatedAt = utc(r.created.Time()), utc(r.updated.Time())
	p.CreatedAtFE, p.UpdatedAtFE = p.CreatedAt, p.UpdatedAt
	return err
}

// ProductoFilter holds the optional list filters (SPEC §12.2).
type ProductoFilter struct {
	Q           string // substring of nombre or codigo_barras, accent- and case-insensitive
	IDCategoria int64
	BajoStock   bool
}

// EachProducto calls fn for every active product matching f, newest first,
// one row at a time, with its category's JSON: the categories are read
// first, once (a shop has a few dozen), and the products without a join.
// p is reused, and on PostgreSQL its strings point into the driver's read
// buffer: it is valid only during fn.
func (s *Store) EachProducto(ctx context.Context, f ProductoFilter, fn func(p *Producto, cat []byte) error) error {
	cats := map[int64][]byte{}
	rows, err := s.db.SQL.QueryContext(ctx, "SELECT "+categoriaCols+" FROM categoria c")
	if err == nil {
		err = database.EachRow(rows, func(r *sql.Rows) (Categoria, error) { return scanCategoria(r) }, func(c Categoria) error {
			cats[c.ID] = appendCategoria(nil, &c)
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("list productos: categorias: %w", err)
	}
	if testHookCategoriasRead != nil {
		testHookCategoriasRead()
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where = append(where, "p.estado")
	if f.Q != "" {
		name := "%" + database.EscapeLike(database.SearchForm(f.Q)) + "%"
		code := "%" + database.EscapeLike(strings.ToLower(strings.TrimSpace(f.Q))) + "%"
		where = append(where, "(p.nombre_norm LIKE "+arg(name)+` ESCAPE '\' OR lower(p.codigo_barras) LIKE `+arg(code)+` ESCAPE '\')`)
	}
	if f.IDCategoria > 0 {
		where = append(where, "p.id_categoria = "+arg(f.IDCategoria))
	}
	if f.BajoStock {
		where = append(where, "p.stock_actual <= p.stock_minimo")
	}
	query := s.productoList() + "\nWHERE " + strings.Join(where, " AND ") + "\nORDER BY p.id DESC"
	emit := func(p *Producto) error {
		cat, ok := cats[p.IDCategoria]
		if !ok {
			// Created after the categories were read (the two reads are not
			// one snapshot): read it now, on another connection.
			c, err := s.categoriaByID(ctx, p.IDCategoria)
			if err != nil {
				return fmt.Errorf("categoria %d: %w", p.IDCategoria, err)
			}
			cat = appendCategoria(nil, &c)
			cats[c.ID] = cat
		}
		return fn(p, cat)
	}
	err = errPGFormat
	if s.db.IsPostgres() && !s.pgText.Load() {
		err = s.eachProductoPG(ctx, query, args, emit)
		if errors.Is(err, errPGFormat) {
			s.pgText.Store(true) // the same pool answers the same way next time
		}
	}
	if errors.Is(err, errPGFormat) {
		rows, err = s.db.SQL.QueryContext(ctx, query, args...)
		if err == nil {
			var r productoRow
			err = database.EachRow(rows, func(rows *sql.Rows) (*Producto, error) { return &r.p, r.scan(rows) }, emit)
		}
	}
	if err != nil {
		return fmt.Errorf("list productos: %w", err)
	}
	return nil
}

// testHookCategoriasRead runs between EachProducto's two reads (tests).
var testHookCategoriasRead func()

// categoriaByID returns a category whatever its estado.
func (s *Store) categoriaByID(ctx context.Context, id int64) (Categoria, error) {
	return scanCategoria(s.db.SQL.QueryRowContext(ctx, "SELECT "+categoriaCols+" FROM categoria c WHERE c.id = $1", id))
}

// Producto returns an active product, or errNotFound.
func (s *Store) Producto(ctx context.Context, q querier, id int64) (Producto, error) {
	p, err := scanProducto(q.QueryRowContext(ctx, productoSelect+"\nWHERE p.id = $1 AND p.estado", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errNotFound
	}
	return p, err
}

// productosByID returns products by id whatever their estado (compras
// embed products deleted since).
func (s *Store) productosByID(ctx context.Context, q querier, ids []int64) (map[int64]Producto, error) {
	out := make(map[int64]Producto, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, productoSelect+"\nWHERE p.id IN ("+idList(ids)+")")
	if err != nil {
		return nil, err
	}
	err = database.EachRow(rows, func(r *sql.Rows) (Producto, error) { return scanProducto(r) }, func(p Producto) error {
		out[p.ID] = p
		return nil
	})
	return out, err
}

const compraCols = "id, total, proveedor, pagado_con_caja, id_sesion_caja, fecha, estado, id_user_create, id_user_update, created_at, updated_at"

func scanCompra(row scanner) (Compra, error) {
	var c Compra
	var fecha, created, updated time.Time
	err := row.Scan(&c.ID, &c.Total, &c.Proveedor, &c.PagadoConCaja, &c.IDSesionCaja, &fecha, &c.Estado,
		&c.IDUserCreate, &c.IDUserUpdate, &created, &updated)
	c.Fecha, c.CreatedAt, c.UpdatedAt = utc(fecha), utc(created), utc(updated)
	c.Detalles = []DetalleCompra{}
	return c, err
}

const detalleCols = "id, id_compra, id_producto, cantidad, costo_unitario, subtotal, estado, id_user_create, id_user_update, created_at, updated_at"

func scanDetalle(row scanner) (DetalleCompra, error) {
	var d DetalleCompra
	var created, updated time.Time
	err := row.Scan(&d.ID, &d.IDCompra, &d.IDProducto, &d.Cantidad, &d.CostoUnitario, &d.Subtotal, &d.Estado,
		&d.IDUserCreate, &d.IDUserUpdate, &created, &updated)
	d.CreatedAt, d.UpdatedAt = utc(created), utc(updated)
	return d, err
}

// Compras lists active compras, newest first, with their lines and products.
func (s *Store) Compras(ctx context.Context) ([]Compra, error) {
	return s.compras(ctx, s.db.SQL, "SELECT "+compraCols+" FROM compra WHERE estado ORDER BY id DESC")
}

// Compra returns one compra with its lines (also inside its transaction).
func (s *Store) Compra(ctx context.Context, q querier, id int64) (Compra, error) {
	out, err := s.compras(ctx, q, "SELECT "+compraCols+" FROM compra WHERE id = $1", id)
	if err != nil {
		return Compra{}, err
	}
	if len(out) == 0 {
		return Compra{}, errNotFound
	}
	return out[0], nil
}

func (s *Store) compras(ctx context.Context, q querier, query string, args ...any) ([]Compra, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list compras: %w", err)
	}
	out := []Compra{}
	index := map[int64]int{}
	err = database.EachRow(rows, func(r *sql.Rows) (Compra, error) { return scanCompra(r) }, func(c Compra) error {
		index[c.ID] = len(out)
		out = append(out, c)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	// Lines of every listed compra in one query, then their products in one.
	rows, err = q.QueryContext(ctx, "SELECT "+detalleCols+" FROM detalle_compra WHERE id_compra IN ("+idList(ids)+") ORDER BY id_compra, id")
	if err != nil {
		return nil, fmt.Errorf("list detalles: %w", err)
	}
	productIDs := map[int64]bool{}
	err = database.EachRow(rows, func(r *sql.Rows) (DetalleCompra, error) { return scanDetalle(r) }, func(d DetalleCompra) error {
		i := index[d.IDCompra]
		out[i].Detalles = append(out[i].Detalles, d)
		productIDs[d.IDProducto] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list detalles: %w", err)
	}
	pids := make([]int64, 0, len(productIDs))
	for id := range productIDs {
		pids = append(pids, id)
	}
	products, err := s.productosByID(ctx, q, pids)
	if err != nil {
		return nil, fmt.Errorf("compra productos: %w", err)
	}
	for i := range out {
		for j := range out[i].Detalles {
			out[i].Detalles[j].Producto = products[out[i].Detalles[j].IDProducto]
		}
	}
	return out, nil
}
