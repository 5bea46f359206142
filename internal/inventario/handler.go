package inventario

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/role"
)

// Messages of SPEC §12.2.
const (
	msgCategoriaDuplicada = "Ya existe una categoría con ese nombre"
	msgCategoriaEnUso     = "La categoría tiene productos activos"
	msgProductoNombre     = "Ya existe un producto con ese nombre"
	msgProductoCodigo     = "Ya existe un producto con ese código de barras"
)

func categoriaNotFound(id int64) error {
	return httpapi.NewError(http.StatusNotFound, "Categoría con id "+strconv.FormatInt(id, 10)+" no encontrada o inactiva")
}

func productoNotFound(id int64) error {
	return httpapi.NewError(http.StatusNotFound, "Producto con id "+strconv.FormatInt(id, 10)+" no encontrado o inactivo")
}

// Events of SPEC §12.3.
var (
	evCategoriaCreada      = realtime.Event{Entity: "category", Action: "creado"}
	evCategoriaActualizada = realtime.Event{Entity: "category", Action: "actualizado"}
	evCategoriaEliminada   = realtime.Event{Entity: "category", Action: "eliminado"}
	evProductoCreado       = realtime.Event{Entity: "producto", Action: "creado"}
	evProductoActualizado  = realtime.Event{Entity: "producto", Action: "actualizado"}
	evProductoEliminado    = realtime.Event{Entity: "producto", Action: "eliminado"}
	evStockActualizado     = realtime.Event{Entity: "producto", Action: "stock_actualizado"}
	evStockBajo            = realtime.Event{Entity: "producto", Action: "stock_bajo"}
	evCompraCreada         = realtime.Event{Entity: "compra", Action: "creada"}
	evSaldoActualizado     = realtime.Event{Entity: "caja", Action: "saldo_actualizado"}
)

// EvStockBajo is the event a writer publishes after its own when Ledger.Record
// reports that a product became low.
var EvStockBajo = evStockBajo

var rd = httpapi.NestRenderer{}

// Handler serves /inventario/* and /compras.
type Handler struct {
	db     *database.DB
	store  *Store
	ledger *Ledger
	cash   CashDrawer
	pub    realtime.Publisher
	val    *httpapi.Validator
}

// NewHandler builds the handler. cash pays compras from a caja session.
func NewHandler(db *database.DB, ledger *Ledger, cash CashDrawer, pub realtime.Publisher, val *httpapi.Validator) *Handler {
	return &Handler{db: db, store: NewStore(db), ledger: ledger, cash: cash, pub: pub, val: val}
}

// Routes mounts the routes: reads for any usuario role, writes for admin
// and lider (SPEC §12.2).
func (h *Handler) Routes(r chi.Router) {
	read, write := auth.RequireUsuario(rd, role.Admin, role.Lider, role.User), auth.RequireUsuario(rd, role.Admin, role.Lider)
	r.With(read).Get("/inventario/categorias", httpapi.Handle(rd, h.listCategorias))
	r.With(read).Get("/inventario/categorias/{id}", httpapi.Handle(rd, h.getCategoria))
	r.With(write).Post("/inventario/categorias", httpapi.Handle(rd, h.createCategoria))
	r.With(write).Patch("/inventario/categorias/{id}", httpapi.Handle(rd, h.updateCategoria))
	r.With(write).Delete("/inventario/categorias/{id}", httpapi.Handle(rd, h.deleteCategoria))

	r.With(read).Get("/inventario/producto", httpapi.Handle(rd, h.listProductos))
	r.With(read).Get("/inventario/producto/{id}", httpapi.Handle(rd, h.getProducto))
	r.With(write).Post("/inventario/producto", httpapi.Handle(rd, h.createProducto))
	r.With(write).Patch("/inventario/producto/{id}", httpapi.Handle(rd, h.updateProducto))
	r.With(write).Delete("/inventario/producto/{id}", httpapi.Handle(rd, h.deleteProducto))

	r.With(read).Get("/compras", httpapi.Handle(rd, h.listCompras))
	r.With(write).Post("/compras", httpapi.Handle(rd, h.createCompra))
}

// actor is the usuario id of the caller (the audit id, from the token).
func actor(r *http.Request) int64 {
	p, _ := auth.PrincipalFrom(r.Context())
	return p.UsuarioID()
}

// lock is the PostgreSQL row-lock suffix (SQLite's BEGIN IMMEDIATE already
// serialises writers).
func (h *Handler) lock(mode string) string {
	if h.db.IsPostgres() {
		return " FOR " + mode
	}
	return ""
}

// ---- categorías ----

type categoriaCreate struct {
	inOrder
	Nombre       *string `json:"nombre" validate:"required,notnull,notblank,max=100"`
	IDUserCreate *int64  `json:"id_user_create"`
	IDUserUpdate *int64  `json:"id_user_update"`
}

func (b *categoriaCreate) Normalize() { trimPtr(b.Nombre) }

type categoriaPatch struct {
	inOrder
	Nombre       *string `json:"nombre" validate:"omitempty,notnull,notblank,max=100"`
	IDUserCreate *int64  `json:"id_user_create"`
	IDUserUpdate *int64  `json:"id_user_update"`
}

func (b *categoriaPatch) Normalize() { trimPtr(b.Nombre) }

func (h *Handler) listCategorias(w http.ResponseWriter, r *http.Request) error {
	out, err := h.store.Categorias(r.Context())
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getCategoria(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.store.Categoria(r.Context(), h.db.SQL, id)
	if errors.Is(err, errNotFound) {
		return categoriaNotFound(id)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) createCategoria(w http.ResponseWriter, r *http.Request) error {
	var body categoriaCreate
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	ctx := r.Context()
	var out Categoria
	err := h.db.Tx(ctx, func(tx *gorm.DB) error {
		var id int64
		err := tx.Raw("INSERT INTO categoria (nombre, nombre_key, id_user_create, created_at, updated_at) VALUES (?, ?, ?, "+
			h.db.NowSQL()+", "+h.db.NowSQL()+") RETURNING id", *body.Nombre, nameKey(*body.Nombre), nullID(actor(r))).Row().Scan(&id)
		if err != nil {
			return err
		}
		if out, err = h.store.Categoria(ctx, txQuerier(tx), id); err != nil {
			return err
		}
		return h.pub.Publish(tx, evCategoriaCreada)
	})
	if database.IsUniqueViolation(err) {
		return httpapi.NewError(http.StatusConflict, msgCategoriaDuplicada)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// lockCategoria locks an active category row (mode UPDATE to change it,
// SHARE to keep it active while a product is attached to it).
func (h *Handler) lockCategoria(tx *gorm.DB, id int64, mode string) error {
	var n int64
	res := tx.Raw("SELECT id FROM categoria WHERE id = ? AND estado"+h.lock(mode), id).Scan(&n)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return categoriaNotFound(id)
	}
	return nil
}

func (h *Handler) updateCategoria(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	var body categoriaPatch
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	ctx := r.Context()
	var out Categoria
	err = h.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := h.lockCategoria(tx, id, "UPDATE"); err != nil {
			return err
		}
		if body.Nombre != nil {
			err := tx.Exec("UPDATE categoria SET nombre = ?, nombre_key = ?, id_user_update = ?, updated_at = "+h.db.NowSQL()+" WHERE id = ?",
				*body.Nombre, nameKey(*body.Nombre), nullID(actor(r)), id).Error
			if err != nil {
				return err
			}
			if err := h.pub.Publish(tx, evCategoriaActualizada); err != nil {
				return err
			}
		}
		out, err = h.store.Categoria(ctx, txQuerier(tx), id)
		return err
	})
	if database.IsUniqueViolation(err) {
		return httpapi.NewError(http.StatusConflict, msgCategoriaDuplicada)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) deleteCategoria(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	err = h.db.Tx(r.Context(), func(tx *gorm.DB) error {
		if err := h.lockCategoria(tx, id, "UPDATE"); err != nil {
			return err
		}
		// Product writes hold the category FOR SHARE, so this sees every
		// product attached before it.
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM producto WHERE id_categoria = ? AND estado", id).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return httpapi.NewError(http.StatusConflict, msgCategoriaEnUso)
		}
		if err := tx.Exec("UPDATE categoria SET estado = FALSE, id_user_update = ?, updated_at = "+h.db.NowSQL()+" WHERE id = ?",
			nullID(actor(r)), id).Error; err != nil {
			return err
		}
		return h.pub.Publish(tx, evCategoriaEliminada)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK) // Nest answered 200 with an empty body
	return nil
}

// ---- productos ----

type productoCreate struct {
	inOrder
	Nombre       *string       `json:"nombre" validate:"required,notnull,notblank,max=150"`
	CodigoBarras *string       `json:"codigo_barras" validate:"omitempty,max=64"`
	PrecioVenta  *money.Amount `json:"precio_venta" validate:"required,notnull,money,mmin=0,mmax=9999999999.99"`
	CostoCompra  *money.Amount `json:"costo_compra" validate:"required,notnull,money,mmin=0,mmax=9999999999.99"`
	StockActual  *int64        `json:"stock_actual" validate:"required,notnull,min=0,max=2147483647"`
	StockMinimo  *int64        `json:"stock_minimo" validate:"required,notnull,min=0,max=2147483647"`
	IDCategoria  *int64        `json:"id_categoria" validate:"required,notnull,gt=0"`
	IDUserCreate *int64        `json:"id_user_create"`
	IDUserUpdate *int64        `json:"id_user_update"`
}

func (b *productoCreate) Normalize() { trimPtr(b.Nombre); trimPtr(b.CodigoBarras) }

type productoPatch struct {
	inOrder
	httpapi.Sent
	Nombre       *string       `json:"nombre" validate:"omitempty,notnull,notblank,max=150"`
	CodigoBarras *string       `json:"codigo_barras" validate:"omitempty,max=64"`
	PrecioVenta  *money.Amount `json:"precio_venta" validate:"omitempty,notnull,money,mmin=0,mmax=9999999999.99"`
	CostoCompra  *money.Amount `json:"costo_compra" validate:"omitempty,notnull,money,mmin=0,mmax=9999999999.99"`
	StockActual  *int64        `json:"stock_actual" validate:"omitempty,notnull,min=0,max=2147483647"`
	StockMinimo  *int64        `json:"stock_minimo" validate:"omitempty,notnull,min=0,max=2147483647"`
	IDCategoria  *int64        `json:"id_categoria" validate:"omitempty,notnull,gt=0"`
	IDUserCreate *int64        `json:"id_user_create"`
	IDUserUpdate *int64        `json:"id_user_update"`
}

func (b *productoPatch) Normalize() { trimPtr(b.Nombre); trimPtr(b.CodigoBarras) }

// barcode is a trimmed code, "" meaning none (the register form always
// sends "").
func barcode(s *string) any {
	if s == nil || *s == "" {
		return nil
	}
	return *s
}

func cents(a *money.Amount) money.Cents {
	c, _ := a.Cents() // validated
	return c
}

func (h *Handler) listProductos(w http.ResponseWriter, r *http.Request) error {
	var f ProductoFilter
	q := r.URL.Query()
	f.Q = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(f.Q) > 150 {
		return httpapi.NewError(http.StatusBadRequest, "q debe tener como máximo 150 caracteres")
	}
	if strings.IndexByte(f.Q, 0) >= 0 {
		return httpapi.NewError(http.StatusBadRequest, "q no debe contener el carácter NUL")
	}
	if v, ok := q["id_categoria"]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64)
		if err != nil || n < 1 {
			return httpapi.NewError(http.StatusBadRequest, "id_categoria debe ser un número entero positivo")
		}
		f.IDCategoria = n
	}
	if v, ok := q["bajo_stock"]; ok {
		switch strings.TrimSpace(v[0]) {
		case "true":
			f.BajoStock = true
		case "false":
		default:
			return httpapi.NewError(http.StatusBadRequest, "bajo_stock debe ser true o false")
		}
	}
	return writeProductos(w, r, func(emit func(p *Producto, cat []byte) error) error {
		return h.store.EachProducto(r.Context(), f, emit)
	})
}

func (h *Handler) getProducto(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.store.Producto(r.Context(), h.db.SQL, id)
	if errors.Is(err, errNotFound) {
		return productoNotFound(id)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, p)
	return nil
}

// duplicate words a unique violation of producto: which active row holds
// the name or the code (read after the failed transaction).
func (h *Handler) duplicate(ctx context.Context, self int64, nombre, codigo *string) error {
	if nombre != nil {
		var n int64
		if err := h.db.WithContext(ctx).Raw("SELECT COUNT(*) FROM producto WHERE estado AND nombre_key = ? AND id <> ?",
			nameKey(*nombre), self).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return httpapi.NewError(http.StatusConflict, msgProductoNombre)
		}
	}
	if codigo != nil && *codigo != "" {
		return httpapi.NewError(http.StatusConflict, msgProductoCodigo)
	}
	return httpapi.NewError(http.StatusConflict, msgProductoNombre)
}

func (h *Handler) createProducto(w http.ResponseWriter, r *http.Request) error {
	var body productoCreate
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	ctx := r.Context()
	user := actor(r)
	var out Producto
	err := h.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := h.lockCategoria(tx, *body.IDCategoria, "SHARE"); err != nil {
			return err
		}
		var id int64
		err := tx.Raw("INSERT INTO producto (nombre, nombre_key, nombre_norm, codigo_barras, precio_venta, costo_compra, stock_actual, stock_minimo, "+
			"id_categoria, id_user_create, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "+h.db.NowSQL()+", "+h.db.NowSQL()+") RETURNING id",
			*body.Nombre, nameKey(*body.Nombre), database.SearchForm(*body.Nombre), barcode(body.CodigoBarras),
			h.db.Money(cents(body.PrecioVenta)), h.db.Money(cents(body.CostoCompra)), *body.StockActual, *body.StockMinimo,
			*body.IDCategoria, nullID(user)).Row().Scan(&id)
		if err != nil {
			return err
		}
		if err := h.ledger.move(tx, id, TipoAlta, *body.StockActual, 0, user); err != nil {
			return err
		}
		low, err := h.ledger.evaluate(tx, []int64{id})
		if err != nil {
			return err
		}
		if out, err = h.store.Producto(ctx, txQuerier(tx), id); err != nil {
			return err
		}
		events := []realtime.Event{evProductoCreado}
		if low {
			events = append(events, evStockBajo)
		}
		return h.pub.Publish(tx, events...)
	})
	if database.IsUniqueViolation(err) {
		return h.duplicate(ctx, 0, body.Nombre, body.CodigoBarras)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *Handler) updateProducto(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	var body productoPatch
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	ctx := r.Context()
	user := actor(r)
	var out Producto
	err = h.db.Tx(ctx, func(tx *gorm.DB) error {
		var cur struct {
			StockActual int64
			IDCategoria int64
		}
		res := tx.Raw("SELECT stock_actual, id_categoria FROM producto WHERE id = ? AND estado"+h.lock("UPDATE"), id).Scan(&cur)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return productoNotFound(id)
		}
		if body.IDCategoria != nil && *body.IDCategoria != cur.IDCategoria {
			if err := h.lockCategoria(tx, *body.IDCategoria, "SHARE"); err != nil {
				return err
			}
		}
		var sets []string
		var args []any
		set := func(col string, v any) {
			sets = append(sets, col+" = ?")
			args = append(args, v)
		}
		if body.Nombre != nil {
			set("nombre", *body.Nombre)
			set("nombre_key", nameKey(*body.Nombre))
			set("nombre_norm", database.SearchForm(*body.Nombre))
		}
		if body.Has("codigo_barras") {
			set("codigo_barras", barcode(body.CodigoBarras))
		}
		if body.PrecioVenta != nil {
			set("precio_venta", h.db.Money(cents(body.PrecioVenta)))
		}
		if body.CostoCompra != nil {
			set("costo_compra", h.db.Money(cents(body.CostoCompra)))
		}
		if body.StockActual != nil {
			set("stock_actual", *body.StockActual)
		}
		if body.StockMinimo != nil {
			set("stock_minimo", *body.StockMinimo)
		}
		if body.IDCategoria != nil {
			set("id_categoria", *body.IDCategoria)
		}
		if len(sets) > 0 {
			set("id_user_update", nullID(user))
			args = append(args, id)
			if err := tx.Exec("UPDATE producto SET "+strings.Join(sets, ", ")+", updated_at = "+h.db.NowSQL()+" WHERE id = ?", args...).Error; err != nil {
				return err
			}
			events := []realtime.Event{evProductoActualizado}
			if body.StockActual != nil {
				// AJUSTE: an absolute set, recorded as the difference.
				if err := h.ledger.move(tx, id, TipoAjuste, *body.StockActual-cur.StockActual, 0, user); err != nil {
					return err
				}
			}
			if body.StockActual != nil || body.StockMinimo != nil {
				low, err := h.ledger.evaluate(tx, []int64{id})
				if err != nil {
					return err
				}
				if low {
					events = append(events, evStockBajo)
				}
			}
			if err := h.pub.Publish(tx, events...); err != nil {
				return err
			}
		}
		out, err = h.store.Producto(ctx, txQuerier(tx), id)
		return err
	})
	if database.IsUniqueViolation(err) {
		return h.duplicate(ctx, id, body.Nombre, body.CodigoBarras)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) deleteProducto(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	err = h.db.Tx(r.Context(), func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE producto SET estado = FALSE, id_user_update = ?, updated_at = "+h.db.NowSQL()+" WHERE id = ? AND estado",
			nullID(actor(r)), id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return productoNotFound(id)
		}
		return h.pub.Publish(tx, evProductoEliminado)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
