package caja

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
)

// SeedBatch is how many demo ventas one seed transaction writes.
const SeedBatch = 20_000

// seedWriters is how many COPY streams write batches at once on PostgreSQL.
const seedWriters = 2

type seedJob struct {
	at    int
	batch []seedVenta
}

type seedProduct struct {
	id           int64
	precio, cost money.Cents
}

type seedLine struct {
	producto, cantidad int64
	precio, costo, sub money.Cents
}

type seedVenta struct {
	id     int64
	fecha  time.Time
	metodo string
	estado string
	total  money.Cents
	lines  []seedLine
}

type dayKey struct {
	dia    string
	metodo string
}

type monthKey struct {
	mes      string
	producto int64
}

type monthAgg struct {
	cantidad      int64
	importe, cost money.Cents
}

// SeedDemo inserts n historical demo ventas (about 3 lines each, over the
// last 365 days in id order, 2% annulled) into one closed demo session of a new demo
// caja, with the §14.4 aggregates, in batches of SeedBatch (COPY on
// PostgreSQL). The sales are history: they move no stock and no drawer
// cash (the demo session is closed with teórico = real). It sells the
// active products, or creates 20 demo ones when there are fewer than 5.
func (s *Store) SeedDemo(ctx context.Context, n int, loc *time.Location, progress func(done int)) error {
	db := s.db.WithContext(ctx)
	var user int64
	err := db.Raw("SELECT id FROM usuario WHERE estado ORDER BY CASE WHEN id_role = 1 THEN 0 ELSE 1 END, id LIMIT 1").Row().Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("seed ventas: there is no usuario to sell as (create an admin first: kantuta admin create)")
	} else if err != nil {
		return err
	}
	products, err := s.seedProducts(ctx)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	now := database.Now()
	var cajaID, sesionID int64
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		t := s.db.Time(now)
		if err := tx.Raw(`INSERT INTO cajas (nombre, especialidad, saldo, id_user_create, created_at, updated_at)
			VALUES (?, 'MIXTA', 0, ?, ?, ?) RETURNING id`, fmt.Sprintf("Caja Demo %s", now.Format("20060102-150405")), user, t, t).Row().Scan(&cajaID); err != nil {
			return err
		}
		start := s.db.Time(now.Add(-366 * 24 * time.Hour))
		return tx.Raw(`INSERT INTO sesiones_caja (id_caja, id_usuario, monto_inicial, estado_sesion, fecha_apertura, fecha_cierre, id_user_create, created_at, updated_at)
			VALUES (?, ?, 0, 'CERRADA', ?, ?, ?, ?, ?) RETURNING id`, cajaID, user, start, t, user, t, t).Row().Scan(&sesionID)
	})
	if err != nil {
		return fmt.Errorf("seed ventas: demo caja: %w", err)
	}
	days := map[dayKey]*[2]int64{} // total centavos, n
	months := map[monthKey]*monthAgg{}
	var efectivo money.Cents
	work := make(chan seedJob)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		failed  error
		written int
	)
	firstErr := func() error {
		mu.Lock()
		defer mu.Unlock()
		return failed
	}
	if s.db.IsPostgres() {
		for w := 0; w < seedWriters; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for job := range work {
					if firstErr() != nil {
						continue // drain
					}
					err := s.copyVentas(ctx, sesionID, user, now, job.batch)
					mu.Lock()
					if err != nil && failed == nil {
						failed = fmt.Errorf("seed ventas: batch at %d: %w", job.at, err)
					}
					written += len(job.batch)
					done := written
					mu.Unlock()
					if err == nil && progress != nil {
						progress(done)
					}
				}
			}()
		}
	}
	for done := 0; done < n; {
		size := min(SeedBatch, n-done)
		batch := make([]seedVenta, size)
		for i := range batch {
			v := &batch[i]
			// Spread evenly over the last 365 days in id order, as real
			// sales are (ids and fechas ascend together; index appends).
			step := int64(365*24*time.Hour) / int64(n)
			v.fecha = now.Add(-365 * 24 * time.Hour).Add(time.Duration(int64(done+i)*step + rng.Int64N(max(step, 1))))
			switch r := rng.IntN(10); {
			case r < 6:
				v.metodo = Efectivo
			case r < 9:
				v.metodo = QR
			default:
				v.metodo = Transferencia
			}
			v.estado = Completada
			if rng.IntN(50) == 0 {
				v.estado = Anulada
			}
			nl := 1 + rng.IntN(5)
			for j := 0; j < nl; j++ {
				p := products[rng.IntN(len(products))]
				q := int64(1 + rng.IntN(3))
				sub, _ := p.precio.Mul(q)
				v.lines = append(v.lines, seedLine{producto: p.id, cantidad: q, precio: p.precio, costo: p.cost, sub: sub})
				v.total += sub
			}
			if v.estado == Anulada {
				continue
			}
			local := v.fecha.In(loc)
			dk := dayKey{local.Format(time.DateOnly), v.metodo}
			if days[dk] == nil {
				days[dk] = &[2]int64{}
			}
			days[dk][0] += int64(v.total)
			days[dk][1]++
			if v.metodo == Efectivo {
				efectivo += v.total
			}
			for _, l := range v.lines {
				mk := monthKey{local.Format("2006-01"), l.producto}
				if months[mk] == nil {
					months[mk] = &monthAgg{}
				}
				c, _ := l.costo.Mul(l.cantidad)
				months[mk].cantidad += l.cantidad
				months[mk].importe += l.sub
				months[mk].cost += c
			}
		}
		if s.db.IsPostgres() {
			// PostgreSQL runs a backend per connection: two COPY streams
			// use both cores while this goroutine builds the next batch.
			if err := firstErr(); err != nil {
				break
			}
			work <- seedJob{at: done, batch: batch}
		} else if err := s.insertVentas(ctx, sesionID, user, now, batch); err != nil {
			return fmt.Errorf("seed ventas: batch at %d: %w", done, err)
		} else if progress != nil {
			progress(done + size)
		}
		done += size
	}
	close(work)
	wg.Wait()
	if err := firstErr(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		// Product rows first, in the sales' order (month rows, then year
		// rows, products ascending), then the day rows of the demo caja.
		if err := upsertSeedAggs(tx, s.db, "resumen_producto_mes", "mes", months); err != nil {
			return err
		}
		years := map[monthKey]*monthAgg{}
		for k, v := range months {
			yk := monthKey{k.mes[:4], k.producto}
			if years[yk] == nil {
				years[yk] = &monthAgg{}
			}
			years[yk].cantidad += v.cantidad
			years[yk].importe += v.importe
			years[yk].cost += v.cost
		}
		if err := upsertSeedAggs(tx, s.db, "resumen_producto_anio", "anio", years); err != nil {
			return err
		}
		for k, v := range days {
			if err := tx.Exec(`INSERT INTO resumen_ventas_dia (dia, id_caja, id_usuario, metodo_pago, total, n) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (dia, id_caja, id_usuario, metodo_pago) DO UPDATE SET total = resumen_ventas_dia.total + excluded.total,
				n = resumen_ventas_dia.n + excluded.n`, k.dia, cajaID, user, k.metodo, s.db.Money(money.Cents(v[0])), v[1]).Error; err != nil {
				return err
			}
		}
		// The demo session closes balanced on its cash sales.
		return tx.Exec("UPDATE sesiones_caja SET monto_final_teorico = ?, monto_final_real = ?, diferencia = 0 WHERE id = ?",
			s.db.Money(efectivo), s.db.Money(efectivo), sesionID).Error
	})
}

// upsertSeedAggs adds the seed's sums to a product aggregate, key by key
// in order and products ascending (the lock order of the sales that may
// run meanwhile), 1,000 rows a statement. The month map's key serves for
// years too: its mes is then the year's four digits.
func upsertSeedAggs(tx *gorm.DB, db *database.DB, table, keyCol string, sums map[monthKey]*monthAgg) error {
	keys := make([]monthKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].mes != keys[j].mes {
			return keys[i].mes < keys[j].mes
		}
		return keys[i].producto < keys[j].producto
	})
	for start := 0; start < len(keys); {
		end := start
		var rows []productAgg
		for end < len(keys) && keys[end].mes == keys[start].mes && len(rows) < 1000 {
			v := sums[keys[end]]
			rows = append(rows, productAgg{producto: keys[end].producto, cantidad: v.cantidad, importe: v.importe, costo: v.cost})
			end++
		}
		var key any = keys[start].mes
		if keyCol == "anio" {
			y, err := strconv.Atoi(keys[start].mes)
			if err != nil {
				return err
			}
			key = y
		}
		if err := upsertProductAggs(tx, db, table, keyCol, key, rows); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// seedProducts returns the active products, creating demo ones if needed.
func (s *Store) seedProducts(ctx context.Context) ([]seedProduct, error) {
	read := func() ([]seedProduct, error) {
		rows, err := s.db.WithContext(ctx).Raw("SELECT id, precio_venta, costo_compra FROM producto WHERE estado ORDER BY id LIMIT 5000").Rows()
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []seedProduct
		for rows.Next() {
			var p seedProduct
			if err := rows.Scan(&p.id, &p.precio, &p.cost); err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, rows.Err()
	}
	list, err := read()
	if err != nil || len(list) >= 5 {
		return list, err
	}
	tag := time.Now().UTC().Format("150405.000")
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var cat int64
		name := "Demo " + tag
		if err := tx.Raw("INSERT INTO categoria (nombre, nombre_key) VALUES (?, ?) RETURNING id", name, strings.ToLower(name)).Row().Scan(&cat); err != nil {
			return err
		}
		for i := 1; i <= 20; i++ {
			nombre := fmt.Sprintf("Producto demo %d (%s)", i, tag)
			precio := money.Cents(100 * (i*3 + 2))
			if err := tx.Exec(`INSERT INTO producto (nombre, nombre_key, nombre_norm, precio_venta, costo_compra, stock_actual, stock_minimo, id_categoria)
				VALUES (?, ?, ?, ?, ?, 1000, 5, ?)`, nombre, strings.ToLower(nombre), strings.ToLower(nombre),
				s.db.Money(precio), s.db.Money(precio*6/10), cat).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed ventas: demo products: %w", err)
	}
	return read()
}

func numeric(c money.Cents) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(int64(c)), Exp: -2, Valid: true}
}

// copyVentas writes one batch with COPY over the pool's pgx connection:
// ids for the ventas are reserved from their sequence first, so the lines
// can name them.
func (s *Store) copyVentas(ctx context.Context, sesionID, user int64, now time.Time, batch []seedVenta) error {
	return s.db.PgxTx(ctx, func(tx pgx.Tx) error {
		// A seed may lose its last batch in a crash; it need not wait for the WAL flush.
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT nextval(pg_get_serial_sequence('venta', 'id')) FROM generate_series(1, $1)", len(batch))
		if err != nil {
			return err
		}
		i := 0
		for rows.Next() {
			if err := rows.Scan(&batch[i].id); err != nil {
				rows.Close()
				return err
			}
			i++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ventas := make([][]any, len(batch))
		var lines [][]any
		motivo := "Demo anulada"
		for i, v := range batch {
			var m *string
			if v.estado == Anulada {
				m = &motivo
			}
			ventas[i] = []any{v.id, sesionID, numeric(v.total), v.metodo, v.estado, m, v.fecha, user, v.fecha, v.fecha}
			for _, l := range v.lines {
				lines = append(lines, []any{v.id, l.producto, l.cantidad, numeric(l.precio), numeric(l.costo), numeric(l.sub), user, v.fecha, v.fecha})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"venta"}, []string{"id", "id_sesion_caja", "total", "metodo_pago", "estado_venta",
			"motivo_edicion", "fecha", "id_user_create", "created_at", "updated_at"}, pgx.CopyFromRows(ventas)); err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"detalles_venta"}, []string{"id_venta", "id_producto", "cantidad", "precio_unitario",
			"costo_unitario", "subtotal", "id_user_create", "created_at", "updated_at"}, pgx.CopyFromRows(lines))
		return err
	})
}

// insertVentas writes one batch on SQLite with multi-row INSERTs in one
// transaction.
func (s *Store) insertVentas(ctx context.Context, sesionID, user int64, now time.Time, batch []seedVenta) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var next int64
		if err := tx.Raw("SELECT COALESCE(MAX(id), 0) + 1 FROM venta").Row().Scan(&next); err != nil {
			return err
		}
		const per = 50
		for start := 0; start < len(batch); start += per {
			part := batch[start:min(start+per, len(batch))]
			var vq, lq strings.Builder
			var va, la []any
			vq.WriteString("INSERT INTO venta (id, id_sesion_caja, total, metodo_pago, estado_venta, motivo_edicion, fecha, id_user_create, created_at, updated_at) VALUES ")
			lq.WriteString("INSERT INTO detalles_venta (id_venta, id_producto, cantidad, precio_unitario, costo_unitario, subtotal, id_user_create, created_at, updated_at) VALUES ")
			nl := 0
			for i := range part {
				v := &part[i]
				v.id = next
				next++
				if i > 0 {
					vq.WriteString(",")
				}
				vq.WriteString("(?,?,?,?,?,?,?,?,?,?)")
				var m any
				if v.estado == Anulada {
					m = "Demo anulada"
				}
				f := s.db.Time(v.fecha)
				va = append(va, v.id, sesionID, int64(v.total), v.metodo, v.estado, m, f, user, f, f)
				for _, l := range v.lines {
					if nl > 0 {
						lq.WriteString(",")
					}
					nl++
					lq.WriteString("(?,?,?,?,?,?,?,?,?)")
					la = append(la, v.id, l.producto, l.cantidad, int64(l.precio), int64(l.costo), int64(l.sub), user, f, f)
				}
			}
			if err := tx.Exec(vq.String(), va...).Error; err != nil {
				return err
			}
			if err := tx.Exec(lq.String(), la...).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
