// Package inventario serves categorías, productos and compras (SPEC §12)
// and owns the one place that changes stock, the Ledger, which ventas use
// too. Every stock change writes a movimiento_stock row, so that per
// product stock_actual = Σ cantidad, and re-evaluates the low-stock flag
// that queues one alert mail per recipient per low episode.
package inventario

import (
	"strings"
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// Categoria is a row of categoria as the wire shows it (SPEC §12.2).
type Categoria struct {
	ID           int64        `json:"id"`
	Nombre       string       `json:"nombre"`
	Estado       bool         `json:"estado"`
	IDUserCreate *int64       `json:"id_user_create"`
	IDUserUpdate *int64       `json:"id_user_update"`
	CreatedAt    httpapi.Time `json:"created_at"`
	UpdatedAt    httpapi.Time `json:"updated_at"`
}

// Producto is a product with its category embedded; createdAt/updatedAt
// repeat created_at/updated_at because the frontend's detail modal reads
// only the camel-case names.
type Producto struct {
	ID           int64        `json:"id"`
	Nombre       string       `json:"nombre"`
	CodigoBarras *string      `json:"codigo_barras"`
	PrecioVenta  money.Cents  `json:"precio_venta"`
	CostoCompra  money.Cents  `json:"costo_compra"`
	StockActual  int64        `json:"stock_actual"`
	StockMinimo  int64        `json:"stock_minimo"`
	IDCategoria  int64        `json:"id_categoria"`
	Categoria    Categoria    `json:"categoria"`
	Estado       bool         `json:"estado"`
	IDUserCreate *int64       `json:"id_user_create"`
	IDUserUpdate *int64       `json:"id_user_update"`
	CreatedAt    httpapi.Time `json:"created_at"`
	UpdatedAt    httpapi.Time `json:"updated_at"`
	CreatedAtFE  httpapi.Time `json:"createdAt"`
	UpdatedAtFE  httpapi.Time `json:"updatedAt"`
}

// Compra is a purchase with its lines, each embedding its product (even
// one deleted since).
type Compra struct {
	ID            int64           `json:"id"`
	Total         money.Cents     `json:"total"`
	Proveedor     *string         `json:"proveedor"`
	PagadoConCaja bool            `json:"pagado_con_caja"`
	IDSesionCaja  *int64          `json:"id_sesion_caja"`
	Fecha         httpapi.Time    `json:"fecha"`
	Estado        bool            `json:"estado"`
	IDUserCreate  *int64          `json:"id_user_create"`
	IDUserUpdate  *int64          `json:"id_user_update"`
	CreatedAt     httpapi.Time    `json:"created_at"`
	UpdatedAt     httpapi.Time    `json:"updated_at"`
	Detalles      []DetalleCompra `json:"detalles"`
}

// DetalleCompra is one line of a compra.
type DetalleCompra struct {
	ID            int64        `json:"id"`
	IDCompra      int64        `json:"-"`
	IDProducto    int64        `json:"id_producto"`
	Cantidad      int64        `json:"cantidad"`
	CostoUnitario money.Cents  `json:"costo_unitario"`
	Subtotal      money.Cents  `json:"subtotal"`
	Estado        bool         `json:"estado"`
	IDUserCreate  *int64       `json:"id_user_create"`
	IDUserUpdate  *int64       `json:"id_user_update"`
	CreatedAt     httpapi.Time `json:"created_at"`
	UpdatedAt     httpapi.Time `json:"updated_at"`
	Producto      Producto     `json:"producto"`
}

// nameKey is what names are unique on among active rows: lower(trim(x)),
// with Go's Unicode lower-casing on both databases.
func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func utc(t time.Time) httpapi.Time { return httpapi.Time(t.UTC()) }
