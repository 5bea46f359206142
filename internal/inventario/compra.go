package inventario

import (
	"net/http"
	"strconv"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
)

const (
	msgSesionRequerida = "Debe proporcionar id_sesion_caja si desea pagar con la caja"
	msgTotalExcedido   = "total no debe ser mayor que 9999999999.99"
	msgStockExcedido   = "stock_actual no debe ser mayor que 2147483647"
)

type compraBody struct {
	inOrder
	Proveedor    *string       `json:"proveedor" validate:"omitempty,max=150"`
	PagarConCaja *bool         `json:"pagar_con_caja" validate:"required,notnull"`
	IDSesionCaja *int64        `json:"id_sesion_caja" validate:"omitempty,gt=0"`
	Detalles     []detalleBody `json:"detalles" validate:"required,notnull,min=1,max=200,dive"`
	IDUserCreate *int64        `json:"id_user_create"`
	IDUserUpdate *int64        `json:"id_user_update"`
}

type detalleBody struct {
	IDProducto    *int64        `json:"id_producto" validate:"required,gt=0"`
	Cantidad      *int64        `json:"cantidad" validate:"required,min=1,max=1000000"`
	CostoUnitario *money.Amount `json:"costo_unitario" validate:"required,money,mmin=0,mmax=9999999999.99"`
}

func (b *compraBody) Normalize() {
	trimPtr(b.Proveedor)
	if b.Proveedor != nil && *b.Proveedor == "" {
		b.Proveedor = nil // "" → null
	}
}

func (h *Handler) listCompras(w http.ResponseWriter, r *http.Request) error {
	out, err := h.store.Compras(r.Context())
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// compraLine is a validated line with its exact subtotal.
type compraLine struct {
	producto, cantidad int64
	costo, subtotal    money.Cents
}

// createCompra is one transaction (SPEC §12.3): the caja session first
// when paying from it, then the products in ascending id (stock +=,
// costo_compra = the last line's cost), the compra and its lines, the
// movements and alerts, the caja last; events after the commit. Any error
// leaves nothing written.
func (h *Handler) createCompra(w http.ResponseWriter, r *http.Request) error {
	var body compraBody
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	pagar := *body.PagarConCaja
	if pagar && body.IDSesionCaja == nil {
		return httpapi.NewError(http.StatusBadRequest, msgSesionRequerida)
	}
	var sesion *int64
	if pagar {
		sesion = body.IDSesionCaja
	}
	lines := make([]compraLine, len(body.Detalles))
	stock := make([]StockLine, len(body.Detalles))
	lastCost := map[int64]money.Cents{}
	var total money.Cents
	overflow := false
	for i, d := range body.Detalles {
		ln := compraLine{producto: *d.IDProducto, cantidad: *d.Cantidad, costo: cents(d.CostoUnitario)}
		sub, ok := ln.costo.Mul(ln.cantidad)
		ln.subtotal = sub
		if !ok || total+sub > money.Max {
			overflow = true
		} else {
			total += sub
		}
		lines[i] = ln
		stock[i] = StockLine{ProductoID: ln.producto, Cantidad: ln.cantidad}
		lastCost[ln.producto] = ln.costo // the last line of a product wins
	}
	ids, sum := sumLines(stock)
	ctx := r.Context()
	user := actor(r)
	var out Compra
	err := h.db.Tx(ctx, func(tx *gorm.DB) error {
		if sesion != nil {
			if err := h.cash.LockSession(tx, *sesion); err != nil {
				return err
			}
		}
		for _, id := range ids {
			var got int64
			res := tx.Raw("SELECT id FROM producto WHERE id = ? AND estado"+h.lock("UPDATE"), id).Scan(&got)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return httpapi.NewError(http.StatusNotFound, "Producto con ID "+strconv.FormatInt(id, 10)+" no encontrado")
			}
		}
		if overflow {
			return httpapi.NewError(http.StatusBadRequest, msgTotalExcedido)
		}
		for _, id := range ids {
			res := tx.Exec("UPDATE producto SET stock_actual = stock_actual + ?, costo_compra = ?, id_user_update = ?, updated_at = "+h.db.NowSQL()+
				" WHERE id = ? AND stock_actual <= ?", sum[id], h.db.Money(lastCost[id]), nullID(user), id, MaxStock-sum[id])
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return httpapi.NewError(http.StatusBadRequest, msgStockExcedido)
			}
		}
		var compraID int64
		err := tx.Raw("INSERT INTO compra (total, proveedor, pagado_con_caja, id_sesion_caja, fecha, id_user_create, created_at, updated_at) "+
			"VALUES (?, ?, ?, ?, "+h.db.NowSQL()+", ?, "+h.db.NowSQL()+", "+h.db.NowSQL()+") RETURNING id",
			h.db.Money(total), body.Proveedor, pagar, sesion, nullID(user)).Row().Scan(&compraID)
		if err != nil {
			return err
		}
		for _, ln := range lines {
			if err := tx.Exec("INSERT INTO detalle_compra (id_compra, id_producto, cantidad, costo_unitario, subtotal, id_user_create, created_at, updated_at) "+
				"VALUES (?, ?, ?, ?, ?, ?, "+h.db.NowSQL()+", "+h.db.NowSQL()+")",
				compraID, ln.producto, ln.cantidad, h.db.Money(ln.costo), h.db.Money(ln.subtotal), nullID(user)).Error; err != nil {
				return err
			}
		}
		low, err := h.ledger.Record(tx, TipoCompra, compraID, user, stock, +1)
		if err != nil {
			return err
		}
		if sesion != nil && total > 0 {
			motivo := "Compra de mercancía - ID Compra: " + strconv.FormatInt(compraID, 10)
			if _, err := h.cash.Withdraw(tx, *sesion, total, motivo, "COMPRA", user); err != nil {
				return err
			}
		}
		if out, err = h.store.Compra(ctx, txQuerier(tx), compraID); err != nil {
			return err
		}
		events := []realtime.Event{evStockActualizado, evCompraCreada}
		if sesion != nil {
			events = append(events, evSaldoActualizado)
		}
		if low {
			events = append(events, evStockBajo)
		}
		return h.pub.Publish(tx, events...)
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}
