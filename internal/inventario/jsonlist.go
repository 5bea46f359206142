package inventario

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/jsonappend"
)

// The product list is the frontend's hottest and largest answer (every
// product, ~570 bytes each: 2.8 MB for 5,000). encoding/json spent half of
// its time on reflection and on re-compacting the output of the Time and
// Cents marshalers, so the list is written by hand here, byte for byte
// what encoding/json writes for Producto (TestProductoJSONMatchesEncoding
// holds them together), with each category's JSON made once per request.

// AppendJSON appends p as encoding/json writes it (jsonappend.Appender):
// the product embedded in a venta's or compra's lines.
func (p Producto) AppendJSON(b []byte) []byte { return appendProducto(b, &p, nil) }

// appendProducto appends p as JSON; cat is its category's JSON, or nil to
// write it from p.Categoria.
func appendProducto(b []byte, p *Producto, cat []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"nombre":`...)
	b = jsonappend.String(b, p.Nombre)
	b = append(b, `,"codigo_barras":`...)
	if p.CodigoBarras == nil {
		b = append(b, "null"...)
	} else {
		b = jsonappend.String(b, *p.CodigoBarras)
	}
	b = append(b, `,"precio_venta":`...)
	b = p.PrecioVenta.AppendJSON(b)
	b = append(b, `,"costo_compra":`...)
	b = p.CostoCompra.AppendJSON(b)
	b = append(b, `,"stock_actual":`...)
	b = strconv.AppendInt(b, p.StockActual, 10)
	b = append(b, `,"stock_minimo":`...)
	b = strconv.AppendInt(b, p.StockMinimo, 10)
	b = append(b, `,"id_categoria":`...)
	b = strconv.AppendInt(b, p.IDCategoria, 10)
	b = append(b, `,"categoria":`...)
	if cat == nil {
		b = appendCategoria(b, &p.Categoria)
	} else {
		b = append(b, cat...)
	}
	b = append(b, `,"estado":`...)
	b = strconv.AppendBool(b, p.Estado)
	b = append(b, `,"id_user_create":`...)
	b = jsonappend.IntPtr(b, p.IDUserCreate)
	b = append(b, `,"id_user_update":`...)
	b = jsonappend.IntPtr(b, p.IDUserUpdate)
	// createdAt/updatedAt repeat the bytes of created_at/updated_at when
	// they hold the same instants (always, from the store).
	b = append(b, `,"created_at":`...)
	c := len(b)
	b = jsonappend.Time(b, time.Time(p.CreatedAt))
	created := b[c:]
	b = append(b, `,"updated_at":`...)
	u := len(b)
	b = jsonappend.Time(b, time.Time(p.UpdatedAt))
	updated := b[u:]
	b = append(b, `,"createdAt":`...)
	if time.Time(p.CreatedAtFE).Equal(time.Time(p.CreatedAt)) {
		b = append(b, created...)
	} else {
		b = jsonappend.Time(b, time.Time(p.CreatedAtFE))
	}
	b = append(b, `,"updatedAt":`...)
	if time.Time(p.UpdatedAtFE).Equal(time.Time(p.UpdatedAt)) {
		b = append(b, updated...)
	} else {
		b = jsonappend.Time(b, time.Time(p.UpdatedAtFE))
	}
	return append(b, '}')
}

func appendCategoria(b []byte, c *Categoria) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"nombre":`...)
	b = jsonappend.String(b, c.Nombre)
	b = append(b, `,"estado":`...)
	b = strconv.AppendBool(b, c.Estado)
	b = append(b, `,"id_user_create":`...)
	b = jsonappend.IntPtr(b, c.IDUserCreate)
	b = append(b, `,"id_user_update":`...)
	b = jsonappend.IntPtr(b, c.IDUserUpdate)
	b = append(b, `,"created_at":`...)
	b = jsonappend.Time(b, time.Time(c.CreatedAt))
	b = append(b, `,"updated_at":`...)
	b = jsonappend.Time(b, time.Time(c.UpdatedAt))
	return append(b, '}')
}

// listBufs holds the product list's output buffers: each request appends
// products into one and hands it to the ResponseWriter in listChunk
// pieces, instead of a bufio.Writer of its own plus a per-product buffer.
var listBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, listChunk+16<<10)
	return &b
}}

// listChunk is how much of the list is written at a time: large enough
// that the socket writes are few (~45 for 5,000 products), small enough
// that memory stays flat whatever the list's length.
const listChunk = 64 << 10

// writeProductos streams the list as httpapi.StreamJSON does (200 and the
// header at the first product or at the end; an error after that aborts
// the response), with the bytes appendProducto writes.
func writeProductos(w http.ResponseWriter, r *http.Request, each func(emit func(p *Producto, cat []byte) error) error) error {
	bp := listBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() {
		if cap(buf) <= 4*listChunk { // a giant product must not pin its buffer
			*bp = buf[:0]
			listBufs.Put(bp)
		}
	}()
	started := false
	start := func() {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		started = true
	}
	err := each(func(p *Producto, cat []byte) error {
		if !started {
			start()
			buf = append(buf, '[')
		} else {
			buf = append(buf, ',')
		}
		buf = appendProducto(buf, p, cat)
		if len(buf) < listChunk {
			return nil
		}
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	})
	if err != nil && !started {
		return err
	}
	if err != nil {
		httpapi.LoggerFrom(r.Context()).Error("list cut short", "error", err)
		panic(http.ErrAbortHandler)
	}
	if !started {
		start()
		buf = append(buf, '[')
	}
	buf = append(buf, "]\n"...)
	_, _ = w.Write(buf)
	return nil
}
