package inventario

import (
	"net/http"
	"strconv"
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
	b = append(b, `,"created_at":`...)
	b = appendTime(b, p.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, p.UpdatedAt)
	b = append(b, `,"createdAt":`...)
	b = appendTime(b, p.CreatedAt)
	b = append(b, `,"updatedAt":`...)
	b = appendTime(b, p.UpdatedAt)
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

// appendTime writes httpapi.TimeLayout ("2026-07-10T14:22:00.000Z") digit
// by digit: time.AppendFormat was a fifth of the list's cost.
func appendTime(b []byte, t httpapi.Time) []byte {
	u := time.Time(t).UTC()
	year, month, day := u.Date()
	if year < 1000 || year > 9999 {
		b = append(b, '"')
		b = u.AppendFormat(b, httpapi.TimeLayout)
		return append(b, '"')
	}
	hour, min, sec := u.Clock()
	ms := u.Nanosecond() / 1e6
	b = append(b, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
	return b
}

const hexDigits = "0123456789abcdef"

// appendString writes s as encoding/json does by default: HTML characters,
// control characters, U+2028/U+2029 escaped; invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
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

// writeProductos streams the list (httpapi.StreamJSON) with the bytes
// appendProducto writes.
func writeProductos(w http.ResponseWriter, r *http.Request, each func(emit func(p *Producto, cat []byte) error) error) error {
	buf := make([]byte, 0, 1024)
	return httpapi.StreamJSON(w, r, "[", "]", func(emit func([]byte) error) error {
		return each(func(p *Producto, cat []byte) error {
			buf = appendProducto(buf[:0], p, cat)
			return emit(buf)
		})
	})
}
