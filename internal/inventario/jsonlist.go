package inventario

import (
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// The product list is the frontend's hottest and largest answer (every
// product, ~570 bytes each: 2.8 MB for 5,000). encoding/json spent half of
// its time on reflection and on re-compacting the output of the Time and
// Cents marshalers, so the list is written by hand here, byte for byte
// what encoding/json writes for Producto (TestProductoJSONMatchesEncoding
// holds them together), with each category's JSON made once per request.

// appendProducto appends p as JSON; cat is its category's JSON.
func appendProducto(b []byte, p *Producto, cat []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"nombre":`...)
	b = appendString(b, p.Nombre)
	b = append(b, `,"codigo_barras":`...)
	if p.CodigoBarras == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *p.CodigoBarras)
	}
	b = append(b, `,"precio_venta":`...)
	b = appendCents(b, p.PrecioVenta)
	b = append(b, `,"costo_compra":`...)
	b = appendCents(b, p.CostoCompra)
	b = append(b, `,"stock_actual":`...)
	b = strconv.AppendInt(b, p.StockActual, 10)
	b = append(b, `,"stock_minimo":`...)
	b = strconv.AppendInt(b, p.StockMinimo, 10)
	b = append(b, `,"id_categoria":`...)
	b = strconv.AppendInt(b, p.IDCategoria, 10)
	b = append(b, `,"categoria":`...)
	b = append(b, cat...)
	b = append(b, `,"estado":`...)
	b = strconv.AppendBool(b, p.Estado)
	b = append(b, `,"id_user_create":`...)
	b = appendID(b, p.IDUserCreate)
	b = append(b, `,"id_user_update":`...)
	b = appendID(b, p.IDUserUpdate)
	// createdAt/updatedAt repeat the bytes of created_at/updated_at when
	// they hold the same instants (always, from the store).
	b = append(b, `,"created_at":`...)
	c := len(b)
	b = appendTime(b, p.CreatedAt)
	created := b[c:]
	b = append(b, `,"updated_at":`...)
	u := len(b)
	b = appendTime(b, p.UpdatedAt)
	updated := b[u:]
	b = append(b, `,"createdAt":`...)
	if time.Time(p.CreatedAtFE).Equal(time.Time(p.CreatedAt)) {
		b = append(b, created...)
	} else {
		b = appendTime(b, p.CreatedAtFE)
	}
	b = append(b, `,"updatedAt":`...)
	if time.Time(p.UpdatedAtFE).Equal(time.Time(p.UpdatedAt)) {
		b = append(b, updated...)
	} else {
		b = appendTime(b, p.UpdatedAtFE)
	}
	return append(b, '}')
}

func appendCategoria(b []byte, c *Categoria) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"nombre":`...)
	b = appendString(b, c.Nombre)
	b = append(b, `,"estado":`...)
	b = strconv.AppendBool(b, c.Estado)
	b = append(b, `,"id_user_create":`...)
	b = appendID(b, c.IDUserCreate)
	b = append(b, `,"id_user_update":`...)
	b = appendID(b, c.IDUserUpdate)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, c.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, c.UpdatedAt)
	return append(b, '}')
}

// appendCents writes c as money.Cents marshals it ("85.50") without the
// intermediate string.
func appendCents(b []byte, c money.Cents) []byte {
	n := int64(c)
	b = append(b, '"')
	if n < 0 {
		b, n = append(b, '-'), -n
	}
	b = strconv.AppendInt(b, n/100, 10)
	return append(b, '.', byte('0'+n%100/10), byte('0'+n%10), '"')
}

func appendID(b []byte, id *int64) []byte {
	if id == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *id, 10)
}

// The instants appendTime writes itself, in Unix seconds: from
// 1000-01-01 to the end of 9999 (four-digit years).
const (
	minTimeSec = -30_610_224_000
	endTimeSec = 253_402_300_800
)

// appendTime writes httpapi.TimeLayout ("2026-07-10T14:22:00.000Z") digit
// by digit: time.AppendFormat was a fifth of the list's cost, and
// Date/Clock/Nanosecond each re-derived the instant (a tenth of it). The
// date is Howard Hinnant's days-to-civil: every year counted from 0000-03-01,
// so leap days fall at the ends of years.
func appendTime(b []byte, t httpapi.Time) []byte {
	u := time.Time(t)
	secs := u.Unix()
	if secs < minTimeSec || secs >= endTimeSec {
		b = append(b, '"')
		b = u.UTC().AppendFormat(b, httpapi.TimeLayout)
		return append(b, '"')
	}
	// Unsigned from here on (every value is positive): cheaper divisions.
	secs -= minTimeSec
	days, sod := uint32(secs/86400), uint32(secs%86400)
	z := days + 365_183 // days since 0000-03-01 (1000-01-01 is day 365,183)
	era := z / 146_097  // 400-year cycles
	doe := z - era*146_097
	yoe := (doe - doe/1460 + doe/36_524 - doe/146_096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100) // from March 1st
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month, year := mp+3, yoe+era*400
	if month > 12 {
		month, year = month-12, year+1
	}
	hour, min, sec := sod/3600, sod/60%60, sod%60
	ms := uint32(u.Nanosecond() / 1e6)
	return append(b, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the bytes encoding/json copies as they are: ASCII from
// space up, but for '"', '\\' and the HTML characters. One table look-up
// per byte instead of six comparisons: names are most of the list's bytes.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString writes s as encoding/json does by default: HTML characters,
// control characters, U+2028/U+2029 escaped; invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
