package inventario

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kantuta/kantuta/internal/money"
)

// The product list on PostgreSQL is read with pgx directly, below
// database/sql: database/sql turned each of the 13 × 5,000 values into a
// driver.Value (a string or time.Time on the heap) and then converted it
// again by reflection into the destination, which was over half of the
// request's CPU and ~60,000 allocations. Here each row's raw values are
// decoded from PostgreSQL's binary format in place, into one reused
// Producto whose strings point into pgx's read buffer (like sql.RawBytes).
// The statement is still prepared once per connection (pgx's statement
// cache, the pool's default).

// pgListTypes are the types of productoList's columns as PostgreSQL
// describes them; a column of another type or format (a changed column, or
// DATABASE_URL with default_query_exec_mode=simple_protocol, whose results
// are text) sends the list through database/sql instead.
var pgListTypes = [...]uint32{
	pgtype.Int8OID,        // id
	pgtype.VarcharOID,     // nombre
	pgtype.VarcharOID,     // codigo_barras
	pgtype.NumericOID,     // precio_venta
	pgtype.NumericOID,     // costo_compra
	pgtype.Int4OID,        // stock_actual
	pgtype.Int4OID,        // stock_minimo
	pgtype.Int8OID,        // id_categoria
	pgtype.BoolOID,        // estado
	pgtype.Int8OID,        // id_user_create
	pgtype.Int8OID,        // id_user_update
	pgtype.TimestamptzOID, // created_at
	pgtype.TimestamptzOID, // updated_at
}

// errPGFormat says the raw path cannot decode this result; nothing has
// been passed to fn yet.
var errPGFormat = errors.New("unexpected column types")

// eachProductoPG runs query on a pool connection with pgx and calls fn per
// row with p filled in place; p's strings are valid only during fn.
func (s *Store) eachProductoPG(ctx context.Context, query string, args []any, fn func(p *Producto) error) error {
	conn, err := s.db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		rows, err := dc.(*stdlib.Conn).Conn().Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !pgListDecodable(rows.FieldDescriptions()) {
			return errPGFormat
		}
		var p Producto
		var codigo string
		var userCreate, userUpdate int64
		for rows.Next() {
			v := rows.RawValues()
			if len(v) != len(pgListTypes) {
				return errPGValue
			}
			if err := pgDecodeProducto(v, &p, &codigo, &userCreate, &userUpdate); err != nil {
				return err
			}
			if err := fn(&p); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

func pgListDecodable(fds []pgconn.FieldDescription) bool {
	if len(fds) != len(pgListTypes) {
		return false
	}
	for i, fd := range fds {
		if fd.DataTypeOID != pgListTypes[i] {
			return false
		}
		// varchar's binary form is its text; everything else must be binary.
		if fd.Format != pgx.BinaryFormatCode && fd.DataTypeOID != pgtype.VarcharOID {
			return false
		}
	}
	return true
}

// pgDecodeProducto fills p from one row's binary values; the pointers of
// the nullable columns point at the caller's reused variables.
func pgDecodeProducto(v [][]byte, p *Producto, codigo *string, userCreate, userUpdate *int64) error {
	var d pgDecoder
	p.ID = d.int8(v[0])
	if v[1] == nil {
		d.err = errPGValue
	}
	p.Nombre = rawString(v[1])
	p.CodigoBarras = nil
	if v[2] != nil {
		*codigo = rawString(v[2])
		p.CodigoBarras = codigo
	}
	p.PrecioVenta = d.numericCents(v[3])
	p.CostoCompra = d.numericCents(v[4])
	p.StockActual = d.int4(v[5])
	p.StockMinimo = d.int4(v[6])
	p.IDCategoria = d.int8(v[7])
	p.Estado = d.bool(v[8])
	p.IDUserCreate, p.IDUserUpdate = nil, nil
	if v[9] != nil {
		*userCreate = d.int8(v[9])
		p.IDUserCreate = userCreate
	}
	if v[10] != nil {
		*userUpdate = d.int8(v[10])
		p.IDUserUpdate = userUpdate
	}
	p.CreatedAt = utc(d.timestamptz(v[11]))
	p.UpdatedAt = utc(d.timestamptz(v[12]))
	p.CreatedAtFE, p.UpdatedAtFE = p.CreatedAt, p.UpdatedAt
	if d.err != nil {
		return fmt.Errorf("producto %d: %w", p.ID, d.err)
	}
	return nil
}

// pgDecoder decodes binary values, keeping the first error (a NULL in a
// NOT NULL column arrives as nil and fails the length check).
type pgDecoder struct{ err error }

func (d *pgDecoder) int8(b []byte) int64 {
	if len(b) != 8 {
		d.err = errPGValue
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

func (d *pgDecoder) int4(b []byte) int64 {
	if len(b) != 4 {
		d.err = errPGValue
		return 0
	}
	return int64(int32(binary.BigEndian.Uint32(b)))
}

func (d *pgDecoder) bool(b []byte) bool {
	if len(b) != 1 {
		d.err = errPGValue
		return false
	}
	return b[0] != 0
}

// pow10000 are the weights of NUMERIC's base-10000 digit groups.
var pow10000 = [...]int64{1, 1e4, 1e8, 1e12}

// numericCents decodes a binary NUMERIC of at most two decimals (NUMERIC
// (12,2)) as centavos: ndigits, weight, sign, dscale, then base-10000
// digit groups, the first worth 10000^weight; zero groups at either end
// are left out. pgx would go through math/big; selecting (x * 100)::bigint
// instead cost PostgreSQL 1–2.5 ms of CPU per 5,000 rows.
func (d *pgDecoder) numericCents(b []byte) money.Cents {
	if len(b) < 8 {
		d.err = errPGValue
		return 0
	}
	n := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	if len(b) != 8+2*n || (sign != 0 && sign != 0x4000) || weight >= len(pow10000) {
		d.err = errPGValue // NaN, infinities, or beyond NUMERIC(12,2)
		return 0
	}
	var c int64
	for i := range n {
		g := int64(binary.BigEndian.Uint16(b[8+2*i:]))
		switch exp := weight - i; {
		case exp >= 0:
			c += g * pow10000[exp] * 100
		case exp == -1 && g%100 == 0:
			c += g / 100
		case g != 0:
			d.err = errPGValue // more than two decimals
		}
	}
	if sign == 0x4000 {
		c = -c
	}
	return money.Cents(c)
}

// timestamptz decodes as pgx does: microseconds since 2000-01-01 UTC;
// ±infinity is an error, as it is when database/sql scans it into a
// time.Time.
func (d *pgDecoder) timestamptz(b []byte) time.Time {
	us := d.int8(b)
	if us == math.MaxInt64 || us == math.MinInt64 {
		d.err = errors.New("infinite timestamp")
	}
	return time.Unix(microsecFromUnixEpochToY2K/1_000_000+us/1_000_000,
		(microsecFromUnixEpochToY2K%1_000_000*1_000)+(us%1_000_000*1_000))
}

var errPGValue = errors.New("malformed binary value")

// microsecFromUnixEpochToY2K: PostgreSQL's binary timestamps count
// microseconds from 2000-01-01 UTC.
const microsecFromUnixEpochToY2K = 946_684_800 * 1_000_000

// rawString views b as a string without copying it: like sql.RawBytes,
// valid only until the next row is read.
func rawString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
