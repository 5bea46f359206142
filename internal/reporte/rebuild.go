package reporte

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
)

// RebuildStats says what Rebuild wrote.
type RebuildStats struct {
	Ventas, Lineas, Dias, Productos int64
	// ProductosAnio is the resumen_producto_anio rows written.
	ProductosAnio int64
}

type dayKey struct {
	dia           string
	caja, usuario int64
	metodo        string
}

type dayAgg struct {
	total money.Cents
	n     int64
}

type monthKey struct {
	mes      string
	producto int64
}

type monthAgg struct {
	cantidad       int64
	importe, costo money.Cents
}

// Rebuild recomputes resumen_ventas_dia, resumen_producto_mes and
// resumen_producto_anio from the raw ventas (SPEC §14.4), with the day,
// month and year keys of loc: after a
// change of KANTUTA_TZ, or to repair them. It runs in one transaction; on
// PostgreSQL it first locks the aggregates against writers, so a sale
// either committed before (and is read here) or adds its delta after the
// rebuild commits, never both or neither. Keys are computed in Go, as the
// sales transactions compute them.
func Rebuild(ctx context.Context, db *database.DB, loc *time.Location) (RebuildStats, error) {
	var st RebuildStats
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		st = RebuildStats{}
		if db.IsPostgres() {
			if err := tx.Exec("LOCK TABLE resumen_ventas_dia, resumen_producto_mes, resumen_producto_anio IN SHARE ROW EXCLUSIVE MODE").Error; err != nil {
				return err
			}
		}
		days := map[dayKey]*dayAgg{}
		rows, err := tx.Raw(`SELECT v.fecha, s.id_caja, COALESCE(v.id_user_create, 0), v.metodo_pago, v.total
			FROM venta v JOIN sesiones_caja s ON s.id = v.id_sesion_caja WHERE ` + Counted).Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			var f database.Timestamp
			var k dayKey
			var total money.Cents
			if err := rows.Scan(&f, &k.caja, &k.usuario, &k.metodo, &total); err != nil {
				rows.Close()
				return err
			}
			k.dia = f.Time().In(loc).Format(time.DateOnly)
			a := days[k]
			if a == nil {
				a = &dayAgg{}
				days[k] = a
			}
			a.total += total
			a.n++
			st.Ventas++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		months := map[monthKey]*monthAgg{}
		rows, err = tx.Raw(`SELECT v.fecha, d.id_producto, d.cantidad, d.subtotal, d.costo_unitario
			FROM detalles_venta d JOIN venta v ON v.id = d.id_venta WHERE d.estado AND ` + Counted).Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			var f database.Timestamp
			var k monthKey
			var q int64
			var sub, cu money.Cents
			if err := rows.Scan(&f, &k.producto, &q, &sub, &cu); err != nil {
				rows.Close()
				return err
			}
			k.mes = f.Time().In(loc).Format("2006-01")
			a := months[k]
			if a == nil {
				a = &monthAgg{}
				months[k] = a
			}
			c, _ := cu.Mul(q)
			a.cantidad += q
			a.importe += sub
			a.costo += c
			st.Lineas++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM resumen_ventas_dia").Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM resumen_producto_mes").Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM resumen_producto_anio").Error; err != nil {
			return err
		}
		dk := make([]dayKey, 0, len(days))
		for k := range days {
			dk = append(dk, k)
		}
		sort.Slice(dk, func(i, j int) bool {
			a, b := dk[i], dk[j]
			if a.dia != b.dia {
				return a.dia < b.dia
			}
			if a.caja != b.caja {
				return a.caja < b.caja
			}
			if a.usuario != b.usuario {
				return a.usuario < b.usuario
			}
			return a.metodo < b.metodo
		})
		if err := insertBatches(tx, "INSERT INTO resumen_ventas_dia (dia, id_caja, id_usuario, metodo_pago, total, n) VALUES ", 6, len(dk),
			func(i int) []any {
				k := dk[i]
				return []any{k.dia, k.caja, k.usuario, k.metodo, db.Money(days[k].total), days[k].n}
			}); err != nil {
			return err
		}
		mk := make([]monthKey, 0, len(months))
		for k := range months {
			mk = append(mk, k)
		}
		sort.Slice(mk, func(i, j int) bool {
			if mk[i].mes != mk[j].mes {
				return mk[i].mes < mk[j].mes
			}
			return mk[i].producto < mk[j].producto
		})
		st.Dias, st.Productos = int64(len(dk)), int64(len(mk))
		if err := insertBatches(tx, "INSERT INTO resumen_producto_mes (mes, id_producto, cantidad, importe, costo) VALUES ", 5, len(mk),
			func(i int) []any {
				a := months[mk[i]]
				return []any{mk[i].mes, mk[i].producto, a.cantidad, db.Money(a.importe), db.Money(a.costo)}
			}); err != nil {
			return err
		}
		// The year rows are the month rows summed per year (mk is sorted
		// by month, then product: a year's months are consecutive).
		type yearKey struct {
			anio     int
			producto int64
		}
		years := map[yearKey]*monthAgg{}
		var yk []yearKey
		for _, k := range mk {
			y, err := strconv.Atoi(k.mes[:4])
			if err != nil {
				return err
			}
			key := yearKey{y, k.producto}
			a := years[key]
			if a == nil {
				a = &monthAgg{}
				years[key] = a
				yk = append(yk, key)
			}
			m := months[k]
			a.cantidad += m.cantidad
			a.importe += m.importe
			a.costo += m.costo
		}
		sort.Slice(yk, func(i, j int) bool {
			if yk[i].anio != yk[j].anio {
				return yk[i].anio < yk[j].anio
			}
			return yk[i].producto < yk[j].producto
		})
		st.ProductosAnio = int64(len(yk))
		return insertBatches(tx, "INSERT INTO resumen_producto_anio (anio, id_producto, cantidad, importe, costo) VALUES ", 5, len(yk),
			func(i int) []any {
				a := years[yk[i]]
				return []any{yk[i].anio, yk[i].producto, a.cantidad, db.Money(a.importe), db.Money(a.costo)}
			})
	})
	return st, err
}

// insertBatches inserts n rows of width columns, 500 rows a statement
// (SQLite allows 32,766 parameters).
func insertBatches(tx *gorm.DB, head string, width, n int, row func(i int) []any) error {
	const batch = 500
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, (end-start)*width)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = append(args, row(i)...)
		}
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}
