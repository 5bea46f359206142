package inventario

import (
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kantuta/kantuta/internal/money"
)

// The raw decoders read what pgx's own encoders write.
func TestPGDecoders(t *testing.T) {
	m := pgtype.NewMap()
	enc := func(oid uint32, v any) []byte {
		t.Helper()
		b, err := m.Encode(oid, pgtype.BinaryFormatCode, v, nil)
		if err != nil {
			t.Fatalf("encode %v: %v", v, err)
		}
		return b
	}
	num := func(i int64, exp int32) pgtype.Numeric {
		return pgtype.Numeric{Int: big.NewInt(i), Exp: exp, Valid: true}
	}
	for _, tc := range []struct {
		v    pgtype.Numeric
		want money.Cents
		ok   bool
	}{
		{num(0, 0), 0, true}, {num(5, -2), 5, true}, {num(50, -2), 50, true}, {num(8550, -2), 8550, true},
		{num(10000, 0), 1000000, true}, {num(123456789, -2), 123456789, true}, {num(100000000, -2), 100000000, true},
		{num(int64(money.Max), -2), money.Max, true}, {num(-1, -2), -1, true}, {num(-123456, -1), -1234560, true},
		{num(1, 8), 10000000000, true}, {num(12345, 5), 123450000000, true},
		{num(1, 12), 100000000000000, true}, {num(1, -3), 0, false}, {num(1, -6), 0, false}, {num(1, 16), 0, false},
		{pgtype.Numeric{NaN: true, Valid: true}, 0, false}, {pgtype.Numeric{InfinityModifier: pgtype.Infinity, Valid: true}, 0, false},
	} {
		var d pgDecoder
		got := d.numericCents(enc(pgtype.NumericOID, tc.v))
		if (d.err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("numeric %v×10^%d: got %d, %v; want %d, ok %v", tc.v.Int, tc.v.Exp, got, d.err, tc.want, tc.ok)
		}
	}
	for _, tt := range []time.Time{
		time.Date(2026, 7, 10, 14, 22, 0, 123456000, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 500000000, time.UTC), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
	} {
		var d pgDecoder
		if got := d.timestamptz(enc(pgtype.TimestamptzOID, tt)); d.err != nil || !got.Equal(tt) {
			t.Errorf("timestamptz %v: got %v, %v", tt, got, d.err)
		}
	}
	for _, inf := range []pgtype.InfinityModifier{pgtype.Infinity, pgtype.NegativeInfinity} {
		var d pgDecoder
		if d.timestamptz(enc(pgtype.TimestamptzOID, pgtype.Timestamptz{InfinityModifier: inf, Valid: true})); d.err == nil {
			t.Errorf("timestamptz %v: no error", inf)
		}
	}
	for _, n := range []int64{0, 1, -1, math.MaxInt64, math.MinInt64} {
		var d pgDecoder
		if got := d.int8(enc(pgtype.Int8OID, n)); got != n || d.err != nil {
			t.Errorf("int8 %d: got %d", n, got)
		}
	}
	for _, n := range []int32{0, 1, -1, math.MaxInt32, math.MinInt32} {
		var d pgDecoder
		if got := d.int4(enc(pgtype.Int4OID, n)); got != int64(n) || d.err != nil {
			t.Errorf("int4 %d: got %d", n, got)
		}
	}
	for _, v := range []bool{true, false} {
		var d pgDecoder
		if got := d.bool(enc(pgtype.BoolOID, v)); got != v || d.err != nil {
			t.Errorf("bool %v: got %v", v, got)
		}
	}
	// Wrong lengths (a NULL arrives as nil) are errors, not zeros.
	for _, f := range []func(d *pgDecoder){
		func(d *pgDecoder) { d.int8(nil) }, func(d *pgDecoder) { d.int4([]byte{1, 2}) }, func(d *pgDecoder) { d.bool(nil) },
		func(d *pgDecoder) { d.numericCents([]byte{0, 1, 0, 0, 0, 0, 0, 2}) }, func(d *pgDecoder) { d.timestamptz(nil) },
	} {
		var d pgDecoder
		if f(&d); d.err == nil {
			t.Error("malformed value decoded without error")
		}
	}
}
