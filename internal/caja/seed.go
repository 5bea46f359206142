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
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
)

// SeedBatch is how many demo ventas one batch writes (one transaction each
// on SQLite; one COPY of each table on PostgreSQL).
const SeedBatch = 20_000

// seedBulkThreshold: a PostgreSQL seed of at least this many ventas drops
// the venta and detalles_venta secondary indexes and foreign keys and makes
// them again after loading, inside the seed's one transaction, unless the
// table already holds more than seedBulkExisting times as many ventas.
// Measured on 2 loaded cores: maintaining them costs ≈ 190 µs per seeded
// venta, making them again ≈ 7 µs per venta in the table.
var seedBulkThreshold = 50_000

const seedBulkExisting = 10

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

// seedSums are the §14.4 aggregates of the generated ventas, summed in Go
// and upserted once at the end.
type seedSums struct {
	days     map[dayKey]*[2]int64 // total centavos, n
	months   map[monthKey]*monthAgg
	efectivo money.Cents
}

// seedGen makes the demo ventas: spread evenly over the last 365 days in
// id order, as real sales are (ids and fechas ascend together; the index
// on fecha appends), 60% EFECTIVO, 2% annulled, 1–5 lines of 1–3 units.
type seedGen struct {
	n        int
	now      time.Time
	loc      *time.Location
	products []seedProduct
	rng      *rand.Rand
	sums     seedSums
}

// batch makes the ventas done..done+size-1 and adds the counted ones to
// the sums.
func (g *seedGen) batch(done, size int) []seedVenta {
	batch := make([]seedVenta, size)
	step := int64(365*24*time.Hour) / int64(g.n)
	for i := range batch {
		v := &batch[i]
		v.fecha = g.now.Add(-365 * 24 * time.Hour).Add(time.Duration(int64(done+i)*step + g.rng.Int64N(max(step, 1))))
		switch r := g.rng.IntN(10); {
		case r < 6:
			v.metodo = Efectivo
		case r < 9:
			v.metodo = QR
		default:
			v.metodo = Transferencia
		}
		v.estado = Completada
		if g.rng.IntN(50) == 0 {
			v.estado = Anulada
		}
		nl := 1 + g.rng.IntN(5)
		v.lines = make([]seedLine, 0, nl)
		for j := 0; j < nl; j++ {
			p := g.products[g.rng.IntN(len(g.products))]
			q := int64(1 + g.rng.IntN(3))
			sub, _ := p.precio.Mul(q)
			v.lines = append(v.lines, seedLine{producto: p.id, cantidad: q, precio: p.precio, costo: p.cost, sub: sub})
			v.total += sub
		}
		if v.estado == Anulada {
			continue
		}
		local := v.fecha.In(g.loc)
		dk := dayKey{local.Format(time.DateOnly), v.metodo}
		if g.sums.days[dk] == nil {
			g.sums.days[dk] = &[2]int64{}
		}
		g.sums.days[dk][0] += int64(v.total)
		g.sums.days[dk][1]++
		if v.metodo == Efectivo {
			g.sums.efectivo += v.total
		}
		mes := local.Format("2006-01")
		for _, l := range v.lines {
			mk := monthKey{mes, l.producto}
			a := g.sums.months[mk]
			if a == nil {
				a = &monthAgg{}
				g.sums.months[mk] = a
			}
			c, _ := l.costo.Mul(l.cantidad)
			a.cantidad += l.cantidad
			a.importe += l.sub
			a.cost += c
		}
	}
	return batch
}

// SeedDemo inserts n historical demo ventas (about 3 lines each, over the
// last 365 days in id order, 2% annulled) into one closed demo session of a
// new demo caja, with the §14.4 aggregates. The sales are history: they
// move no stock and no drawer cash (the demo session is closed with
// teórico = real). It sells the active products, or creates 20 demo ones
// when there are fewer than 5.
//
// On PostgreSQL the whole seed is one transaction (all of it or nothing):
// batches of SeedBatch written with COPY while the next one is generated,
// and, for a large seed, without the secondary indexes and foreign keys of
// venta and detalles_venta, made again before the commit (see
// database.DropForBulkLoad). On SQLite each batch is a transaction of multi-row
// INSERTs and the aggregates a last one.
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
	g := &seedGen{n: n, now: database.Now(), loc: loc, products: products,
		rng:  rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7)),
		sums: seedSums{days: map[dayKey]*[2]int64{}, months: map[monthKey]*monthAgg{}}}
	if s.db.IsPostgres() {
		return s.seedPostgres(ctx, g, user, progress)
	}
	var cajaID, sesionID int64
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		cajaID, sesionID, err = s.seedSession(gormExec{tx}, user, g.now)
		return err
	})
	if err != nil {
		return fmt.Errorf("seed ventas: demo caja: %w", err)
	}
	for done := 0; done < n; {
		size := min(SeedBatch, n-done)
		if err := s.insertVentas(ctx, sesionID, user, g.batch(done, size)); err != nil {
			return fmt.Errorf("seed ventas: batch at %d: %w", done, err)
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		return s.seedAggregates(gormExec{tx}, cajaID, sesionID, user, g.sums)
	})
}

// seedExec is what the seed's statements run on: a GORM transaction
// (SQLite) or a pgx one (PostgreSQL), with ? placeholders either way.
type seedExec interface {
	exec(q string, args ...any) error
	row(q string, args []any, dest ...any) error
}

type gormExec struct{ tx *gorm.DB }

func (g gormExec) exec(q string, args ...any) error { return g.tx.Exec(q, args...).Error }
func (g gormExec) row(q string, args []any, dest ...any) error {
	return g.tx.Raw(q, args...).Row().Scan(dest...)
}

type pgxExec struct {
	ctx context.Context
	tx  pgx.Tx
}

func (p pgxExec) exec(q string, args ...any) error {
	_, err := p.tx.Exec(p.ctx, dollars(q), args...)
	return err
}
func (p pgxExec) row(q string, args []any, dest ...any) error {
	return p.tx.QueryRow(p.ctx, dollars(q), args...).Scan(dest...)
}

// dollars numbers the ? placeholders of q as PostgreSQL's $1, $2, … (the
// seed's statements have no ? inside literals).
func dollars(q string) string {
	var sb strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			sb.WriteString("$" + strconv.Itoa(n))
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// seedSession creates the demo caja and its closed session, opened a year
// and a day ago.
func (s *Store) seedSession(x seedExec, user int64, now time.Time) (cajaID, sesionID int64, err error) {
	t := s.db.Time(now)
	if err := x.row(`INSERT INTO cajas (nombre, especialidad, saldo, id_user_create, created_at, updated_at)
		VALUES (?, 'MIXTA', 0, ?, ?, ?) RETURNING id`, []any{fmt.Sprintf("Caja Demo %s", now.Format("20060102-150405")), user, t, t}, &cajaID); err != nil {
		return 0, 0, err
	}
	start := s.db.Time(now.Add(-366 * 24 * time.Hour))
	err = x.row(`INSERT INTO sesiones_caja (id_caja, id_usuario, monto_inicial, estado_sesion, fecha_apertura, fecha_cierre, id_user_create, created_at, updated_at)
		VALUES (?, ?, 0, 'CERRADA', ?, ?, ?, ?, ?) RETURNING id`, []any{cajaID, user, start, t, user, t, t}, &sesionID)
	return cajaID, sesionID, err
}

// seedAggregates adds the seed's sums to the aggregates and closes the
// demo session balanced on its cash sales. Product rows first, in the
// sales' order (month rows, then year rows, products ascending), then the
// day rows of the demo caja (a key no sale shares).
func (s *Store) seedAggregates(x seedExec, cajaID, sesionID, user int64, sums seedSums) error {
	if err := upsertSeedAggs(x, s.db, "resumen_producto_mes", "mes", sums.months); err != nil {
		return err
	}
	years := map[monthKey]*monthAgg{}
	for k, v := range sums.months {
		yk := monthKey{k.mes[:4], k.producto}
		if years[yk] == nil {
			years[yk] = &monthAgg{}
		}
		years[yk].cantidad += v.cantidad
		years[yk].importe += v.importe
		years[yk].cost += v.cost
	}
	if err := upsertSeedAggs(x, s.db, "resumen_producto_anio", "anio", years); err != nil {
		return err
	}
	dk := make([]dayKey, 0, len(sums.days))
	for k := range sums.days {
		dk = append(dk, k)
	}
	sort.Slice(dk, func(i, j int) bool {
		if dk[i].dia != dk[j].dia {
			return dk[i].dia < dk[j].dia
		}
		return dk[i].metodo < dk[j].metodo
	})
	for start := 0; start < len(dk); start += 1000 {
		part := dk[start:min(start+1000, len(dk))]
		var sb strings.Builder
		args := make([]any, 0, 6*len(part))
		sb.WriteString("INSERT INTO resumen_ventas_dia (dia, id_caja, id_usuario, metodo_pago, total, n) VALUES ")
		for i, k := range part {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?)")
			v := sums.days[k]
			args = append(args, k.dia, cajaID, user, k.metodo, s.db.Money(money.Cents(v[0])), v[1])
		}
		sb.WriteString(` ON CONFLICT (dia, id_caja, id_usuario, metodo_pago) DO UPDATE SET total = resumen_ventas_dia.total + excluded.total,
			n = resumen_ventas_dia.n + excluded.n`)
		if err := x.exec(sb.String(), args...); err != nil {
			return err
		}
	}
	return x.exec("UPDATE sesiones_caja SET monto_final_teorico = ?, monto_final_real = ?, diferencia = 0 WHERE id = ?",
		s.db.Money(sums.efectivo), s.db.Money(sums.efectivo), sesionID)
}

// upsertSeedAggs adds the seed's sums to a product aggregate, key by key
// in order and products ascending (the lock order of the sales that may
// run meanwhile), 1,000 rows a statement. The month map's key serves for
// years too: its mes is then the year's four digits.
func upsertSeedAggs(x seedExec, db *database.DB, table, keyCol string, sums map[monthKey]*monthAgg) error {
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
		q, args := productAggSQL(db, table, keyCol, key, rows)
		if err := x.exec(q, args...); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// seedPostgres writes the whole seed in one transaction on one connection:
// the demo session, then the batches (COPY of the ventas with ids reserved
// from their sequence, then of their lines) while a goroutine generates the
// next batch, then the aggregates. A large seed loads without the
// secondary indexes and foreign keys of both tables (database.DropForBulkLoad): PostgreSQL's DDL
// is transactional, so they are made again before the commit, or the
// rollback of any failure (or a crash) gives them back as they were: the
// schema is never left without them.
func (s *Store) seedPostgres(ctx context.Context, g *seedGen, user int64, progress func(done int)) error {
	return s.db.PgxTx(ctx, func(tx pgx.Tx) error {
		x := pgxExec{ctx, tx}
		// One commit at the end: it need not wait for the WAL flush (a
		// crash before it loses the seed, which the rollback does anyway).
		if err := x.exec("SET LOCAL synchronous_commit = off"); err != nil {
			return err
		}
		cajaID, sesionID, err := s.seedSession(x, user, g.now)
		if err != nil {
			return fmt.Errorf("seed ventas: demo caja: %w", err)
		}
		var restore []string
		var existing int64
		if err := x.row("SELECT COUNT(*) FROM venta", nil, &existing); err != nil {
			return err
		}
		if g.n >= seedBulkThreshold && existing <= seedBulkExisting*int64(g.n) {
			if restore, err = database.DropForBulkLoad(ctx, tx, bulkTables...); err != nil {
				return fmt.Errorf("seed ventas: drop indexes and foreign keys: %w", err)
			}
		}
		// The generator runs one batch ahead of the COPY.
		load := func(batch []seedVenta) error { return copyVentas(ctx, tx, sesionID, user, batch) }
		if err := database.LoadInBatches(ctx, g.n, SeedBatch, g.batch, load, progress); err != nil {
			return fmt.Errorf("seed ventas: %w", err)
		}
		if err := database.RestoreAfterBulkLoad(ctx, tx, restore); err != nil {
			return fmt.Errorf("seed ventas: %w", err)
		}
		if len(restore) > 0 {
			// Fresh statistics for the planner after a bulk load.
			if err := x.exec("ANALYZE venta, detalles_venta"); err != nil {
				return err
			}
		}
		// LoadInBatches has returned: the generator's sums are final.
		return s.seedAggregates(x, cajaID, sesionID, user, g.sums)
	})
}

// bulkTables are the tables a large seed loads without their secondary
// indexes and foreign keys (database.DropForBulkLoad).
var bulkTables = []string{"venta", "detalles_venta"}

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

// copyVentas writes one batch with COPY in the seed's transaction: ids
// for the ventas are reserved from their sequence first, so the lines can
// name them.
func copyVentas(ctx context.Context, tx pgx.Tx, sesionID, user int64, batch []seedVenta) error {
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
	lines := make([][]any, 0, 3*len(batch))
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
}

// insertVentas writes one batch on SQLite with multi-row INSERTs in one
// transaction.
func (s *Store) insertVentas(ctx context.Context, sesionID, user int64, batch []seedVenta) error {
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
