// Package reporte answers the owner's screens (SPEC §14.3): the dashboard
// and the data behind the frontend's PDF reports. It only reads. Money is
// answered as JSON numbers (money.Number), days are local days of
// KANTUTA_TZ computed in Go and bound as half-open instant ranges, and a
// venta counts in every figure by one definition (Counted).
package reporte

import (
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// Counted is the one definition of a venta that counts in a figure (SPEC
// §14.2), for the venta table under alias v. The aggregates of §14.4 hold
// exactly these ventas.
const Counted = "v.estado AND v.estado_venta IN ('COMPLETADA', 'EDITADA')"

// Meses are the dashboard's month labels (Home.tsx), January first.
var Meses = [12]string{"Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"}

// distribucion is the dashboard's fixed operator order (Home.tsx:18-22).
var distribucion = []string{"Entel", "Viva", "Tigo"}

type Dashboard struct {
	Kpis                 Kpis             `json:"kpis"`
	VentasMensuales      []MesTotal       `json:"ventas_mensuales"`
	TopProductos         []TopProducto    `json:"top_productos"`
	RecargasDistribucion []ProveedorTotal `json:"recargas_distribucion"`
}

type Kpis struct {
	VentasHoy             money.Number `json:"ventas_hoy"`
	RecargasHoy           money.Number `json:"recargas_hoy"`
	GananciaComisionesHoy money.Number `json:"ganancia_comisiones_hoy"`
	ProductosStockBajo    int64        `json:"productos_stock_bajo"`
}

type MesTotal struct {
	Mes   string       `json:"mes"`
	Total money.Number `json:"total"`
}

type TopProducto struct {
	Nombre   string       `json:"nombre"`
	Cantidad int64        `json:"cantidad"`
	Ganancia money.Number `json:"ganancia"`
}

type ProveedorTotal struct {
	Proveedor string       `json:"proveedor"`
	Total     money.Number `json:"total"`
}

type VentasRango struct {
	FechaInicio  string        `json:"fechaInicio"`
	FechaFin     string        `json:"fechaFin"`
	Auditor      string        `json:"auditor"`
	FechaEmision httpapi.Time  `json:"fechaEmision"`
	Totales      VentasTotales `json:"totales"`
	Ventas       []VentaFila   `json:"ventas"`
	Truncado     bool          `json:"truncado"`
}

type VentasTotales struct {
	TotalVendido       money.Number `json:"totalVendido"`
	TotalTransacciones int64        `json:"totalTransacciones"`
	Desglose           Desglose     `json:"desglose"`
}

type Desglose struct {
	Efectivo      money.Number `json:"efectivo"`
	QR            money.Number `json:"qr"`
	Transferencia money.Number `json:"transferencia"`
	DigitalTotal  money.Number `json:"digitalTotal"`
}

type VentaFila struct {
	ID          int64        `json:"id"`
	Fecha       httpapi.Time `json:"fecha"`
	Total       money.Number `json:"total"`
	MetodoPago  string       `json:"metodo_pago"`
	EstadoVenta string       `json:"estado_venta"`
}

type ComprasRango struct {
	FechaInicio    string       `json:"fechaInicio"`
	FechaFin       string       `json:"fechaFin"`
	Auditor        string       `json:"auditor"`
	FechaEmision   httpapi.Time `json:"fechaEmision"`
	Compras        []CompraFila `json:"compras"`
	TotalInvertido money.Number `json:"totalInvertido"`
	Truncado       bool         `json:"truncado"`
}

type CompraFila struct {
	ID            int64        `json:"id"`
	Fecha         httpapi.Time `json:"fecha"`
	Proveedor     string       `json:"proveedor"`
	PagadoConCaja bool         `json:"pagado_con_caja"`
	Total         money.Number `json:"total"`
}

type Inventario struct {
	FechaCorte httpapi.Time      `json:"fechaCorte"`
	Auditor    string            `json:"auditor"`
	Productos  []InventarioFila  `json:"productos"`
	Resumen    InventarioResumen `json:"resumen"`
	Truncado   bool              `json:"truncado"`
}

type InventarioFila struct {
	CodigoBarras string       `json:"codigo_barras"`
	Nombre       string       `json:"nombre"`
	Categoria    string       `json:"categoria"`
	StockActual  int64        `json:"stock_actual"`
	BajoStock    bool         `json:"bajoStock"`
	Costo        money.Number `json:"costo"`
	Precio       money.Number `json:"precio"`
}

type InventarioResumen struct {
	ItemsBajoStock     int64        `json:"itemsBajoStock"`
	TotalCosto         money.Number `json:"totalCosto"`
	TotalPrecio        money.Number `json:"totalPrecio"`
	GananciaProyectada money.Number `json:"gananciaProyectada"`
}

type Productividad struct {
	FechaInicio  string         `json:"fechaInicio"`
	FechaFin     string         `json:"fechaFin"`
	FechaEmision httpapi.Time   `json:"fechaEmision"`
	Operadores   []OperadorFila `json:"operadores"`
}

type OperadorFila struct {
	Operador       string       `json:"operador"`
	CantidadVentas int64        `json:"cantidad_ventas"`
	TotalFacturado money.Number `json:"total_facturado"`
}

type MovCaja struct {
	Sesion      SesionInfo       `json:"sesion"`
	Movimientos []MovimientoFila `json:"movimientos"`
	Totales     Totales          `json:"totales"`
	Truncado    bool             `json:"truncado"`
}

type SesionInfo struct {
	ID                 int64         `json:"id"`
	CajaNombre         string        `json:"cajaNombre"`
	FechaApertura      httpapi.Time  `json:"fechaApertura"`
	FechaCierre        *httpapi.Time `json:"fechaCierre"`
	MontoInicial       money.Number  `json:"montoInicial"`
	SaldoActualTeorico money.Number  `json:"saldoActualTeorico"`
}

type MovimientoFila struct {
	ID     int64        `json:"id"`
	Fecha  httpapi.Time `json:"fecha"`
	Tipo   string       `json:"tipo"`
	Motivo string       `json:"motivo"`
	Monto  money.Number `json:"monto"`
}

type Totales struct {
	Ingresos money.Number `json:"ingresos"`
	Egresos  money.Number `json:"egresos"`
	Neto     money.Number `json:"neto"`
}

type CajaHistorial struct {
	Caja        CajaRef         `json:"caja"`
	Movimientos []HistorialFila `json:"movimientos"`
	Totales     Totales         `json:"totales"`
	Truncado    bool            `json:"truncado"`
}

type CajaRef struct {
	ID     int64  `json:"id"`
	Nombre string `json:"nombre"`
}

type HistorialFila struct {
	ID       int64        `json:"id"`
	Fecha    httpapi.Time `json:"fecha"`
	IDSesion int64        `json:"id_sesion"`
	Tipo     string       `json:"tipo"`
	Motivo   string       `json:"motivo"`
	Monto    money.Number `json:"monto"`
}

type Ticket struct {
	ID          int64         `json:"id"`
	Fecha       httpapi.Time  `json:"fecha"`
	Cajero      string        `json:"cajero"`
	MetodoPago  string        `json:"metodo_pago"`
	EstadoVenta string        `json:"estado_venta"`
	Detalles    []TicketLinea `json:"detalles"`
	Total       money.Number  `json:"total"`
}

type TicketLinea struct {
	Nombre         string       `json:"nombre"`
	Cantidad       int64        `json:"cantidad"`
	PrecioUnitario money.Number `json:"precio_unitario"`
	Subtotal       money.Number `json:"subtotal"`
}

type Ficha struct {
	ID           int64        `json:"id"`
	Nombre       string       `json:"nombre"`
	CodigoBarras *string      `json:"codigo_barras"`
	Categoria    string       `json:"categoria"`
	StockActual  int64        `json:"stock_actual"`
	StockMinimo  int64        `json:"stock_minimo"`
	PrecioVenta  money.Number `json:"precio_venta"`
	CostoCompra  money.Number `json:"costo_compra"`
	FechaIngreso httpapi.Time `json:"fecha_ingreso"`
}
