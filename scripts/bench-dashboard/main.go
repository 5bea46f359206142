// Command bench-dashboard seeds a database with ventas, lines, top-ups and
// products by SQL (then fills the §14.4 aggregates with reporte.Rebuild)
// and measures GET /reportes/dashboard-stats over HTTP (SPEC §10: p95 ≤ 30 ms
// with 1,000,000 ventas on PostgreSQL, ≤ 80 ms with 200,000 on SQLite).
//
//	bench-dashboard seed -ventas N      (DATABASE_URL; usuario 1 must exist)
//	bench-dashboard measure -url U -secret S -n 500
//	bench-dashboard uncached -n 100    (reporte.Store.Dashboard in process: every part computed, no cache)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/config"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/reporte"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: bench-dashboard seed|measure …"))
	}
	switch os.Args[1] {
	case "seed":
		seed(os.Args[2:])
	case "measure":
		measure(os.Args[2:])
	case "uncached":
		uncached(os.Args[2:])
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

func seed(args []string) {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	ventas := fs.Int("ventas", 200000, "ventas (3 lines each)")
	recargas := fs.Int("recargas", 200000, "top-ups")
	productos := fs.Int("productos", 5000, "products")
	_ = fs.Parse(args)
	cfg, err := config.Load()
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{})
	if err != nil {
		fail(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		fail(err)
	}
	pg := db.IsPostgres()
	// series(n) is the rows 1..n as column g; money(c) writes centavos c
	// (an integer expression) in the dialect's money column type; ago(e)
	// is now minus e seconds as the dialect's timestamp.
	series := func(n int) string {
		if pg {
			return fmt.Sprintf("generate_series(1::bigint, %d) AS s(g)", n)
		}
		return fmt.Sprintf("(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d) SELECT g FROM s) AS s", n)
	}
	money := func(c string) string {
		if pg {
			return "((" + c + ")::numeric / 100)"
		}
		return "(" + c + ")"
	}
	ago := func(secs string) string {
		if pg {
			return "(now() - ((" + secs + ") * interval '1 second'))"
		}
		return "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (" + secs + ") || ' seconds')"
	}
	numero := "'7' || substr('0000000' || g, -7, 7)" // 8 digits
	if pg {
		numero = "'7' || lpad(g::text, 7, '0')"
	}
	price := func(p string) string { return "((((" + p + ") - 1) % 50 + 1) * 100)" } // centavos of product p
	// A venta g has lines j = 0..2 on product ((g*3+j) % P) + 1, quantity (g+j) % 3 + 1.
	prod := func(j int) string { return fmt.Sprintf("((g * 3 + %d) %% %d + 1)", j, *productos) }
	qty := func(j int) string { return fmt.Sprintf("((g + %d) %% 3 + 1)", j) }
	var total []string
	for j := 0; j < 3; j++ {
		total = append(total, qty(j)+" * "+price(prod(j)))
	}
	// Rows are spread over the last year in insertion order, as a shop
	// writes them (the newest id is the newest sale), a little jittered.
	when := func(n int) string { return fmt.Sprintf("((%d - g) * 31536000 / %d + (g * 7919) %% 60)", n, n) }
	steps := []struct{ name, sql string }{
		{"categoria", "INSERT INTO categoria (nombre, nombre_key) VALUES ('Bench', 'bench')"},
		{"producto", fmt.Sprintf(`INSERT INTO producto (nombre, nombre_key, nombre_norm, precio_venta, costo_compra, stock_actual, stock_minimo, id_categoria)
			SELECT 'Producto ' || g, 'producto ' || g, 'producto ' || g, %s, %s, g %% 100, 3, (SELECT MIN(id) FROM categoria) FROM %s`,
			money(price("g")), money(price("g")+" * 6 / 10"), series(*productos))},
		{"cajas", fmt.Sprintf("INSERT INTO cajas (nombre, saldo) SELECT 'Caja ' || g, 0 FROM %s", series(10))},
		{"sesiones_caja", fmt.Sprintf(`INSERT INTO sesiones_caja (id_caja, id_usuario, monto_inicial, monto_final_teorico, estado_sesion, fecha_cierre)
			SELECT (g - 1) %% 10 + 1, 1, 0, 0, 'CERRADA', %s FROM %s`, ago("0"), series(100))},
		{"venta", fmt.Sprintf(`INSERT INTO venta (id_sesion_caja, total, metodo_pago, estado_venta, fecha, id_user_create, created_at, updated_at)
			SELECT (g - 1) %% 100 + 1, %s, CASE g %% 3 WHEN 0 THEN 'EFECTIVO' WHEN 1 THEN 'QR' ELSE 'TRANSFERENCIA' END,
			CASE WHEN g %% 20 = 0 THEN 'ANULADA' ELSE 'COMPLETADA' END, %s, 1, %s, %s FROM %s`,
			money(strings.Join(total, " + ")), ago(when(*ventas)), ago(when(*ventas)), ago(when(*ventas)), series(*ventas))},
	}
	for j := 0; j < 3; j++ {
		steps = append(steps, struct{ name, sql string }{fmt.Sprintf("detalles_venta line %d", j+1), fmt.Sprintf(
			`INSERT INTO detalles_venta (id_venta, id_producto, cantidad, precio_unitario, costo_unitario, subtotal, id_user_create)
			SELECT g, %s, %s, %s, %s, %s, 1 FROM %s`, prod(j), qty(j), money(price(prod(j))), money(price(prod(j))+" * 6 / 10"),
			money(qty(j)+" * "+price(prod(j))), series(*ventas))})
	}
	steps = append(steps,
		struct{ name, sql string }{"movimientos_caja", fmt.Sprintf(`INSERT INTO movimientos_caja (id_sesion_caja, tipo, monto, motivo, origen, fecha)
			SELECT (g - 1) %% 100 + 1, 'INGRESO', %s, 'Venta de recarga', 'RECARGA', %s FROM %s`, money("(g % 50 + 1) * 100"), ago(when(*recargas)), series(*recargas))},
		struct{ name, sql string }{"recargas_clientes", fmt.Sprintf(`INSERT INTO recargas_clientes (operadora, numero_cliente, monto, fecha_hora, id_caja_sesion, id_movimiento_caja, id_user_create)
			SELECT CASE g %% 3 WHEN 0 THEN 'Tigo' WHEN 1 THEN 'Entel' ELSE 'Viva' END, %s, %s, %s, (g - 1) %% 100 + 1, g, 1 FROM %s`,
			numero, money("(g % 50 + 1) * 100"), ago(when(*recargas)), series(*recargas))},
	)
	start := time.Now()
	for _, st := range steps {
		t := time.Now()
		if err := db.WithContext(ctx).Exec(st.sql).Error; err != nil {
			fail(fmt.Errorf("%s: %w", st.name, err))
		}
		fmt.Printf("  %-22s %8.1f s\n", st.name, time.Since(t).Seconds())
	}
	t := time.Now()
	rs, err := reporte.Rebuild(ctx, db, cfg.Location)
	if err != nil {
		fail(err)
	}
	fmt.Printf("  %-22s %8.1f s (%d ventas, %d lines → %d day rows, %d product-month rows)\n", "reportes rebuild",
		time.Since(t).Seconds(), rs.Ventas, rs.Lineas, rs.Dias, rs.Productos)
	if pg {
		if err := db.Exec("VACUUM ANALYZE").Error; err != nil { // visibility map: index-only scans
			fail(err)
		}
	}
	fmt.Printf("seeded %d ventas, %d lines, %d recargas, %d productos in %.1f s\n", *ventas, 3**ventas, *recargas, *productos, time.Since(start).Seconds())
}

func measure(args []string) {
	fs := flag.NewFlagSet("measure", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:38550", "kantuta base URL")
	secret := fs.String("secret", os.Getenv("JWT_SECRET"), "JWT_SECRET of the server (mints an admin token for usuario 1)")
	n := fs.Int("n", 500, "requests (sequential, after 20 warm-up)")
	path := fs.String("path", "/reportes/dashboard-stats", "route to measure")
	_ = fs.Parse(args)
	tok, err := auth.NewIssuer([]byte(*secret), []byte(*secret+"-refresh"), time.Hour, time.Hour).
		Access(auth.Subject{Kind: auth.KindUsuario, ID: "1", RoleID: 1, Username: "bench"})
	if err != nil {
		fail(err)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	get := func() time.Duration {
		req, _ := http.NewRequest(http.MethodGet, *base+*path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		req.Header.Set("Content-Type", "application/json") // as the frontend sends it
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			fail(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(start)
		if res.StatusCode != http.StatusOK {
			fail(fmt.Errorf("%s: status %d", *path, res.StatusCode))
		}
		return d
	}
	for i := 0; i < 20; i++ {
		get()
	}
	ds := make([]time.Duration, *n)
	for i := range ds {
		ds[i] = get()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(p float64) string {
		return fmt.Sprintf("%.2fms", float64(ds[int(p*float64(len(ds)-1))].Microseconds())/1000)
	}
	fmt.Printf("%-28s %6s %8s %8s %8s %8s\n", "route", "n", "p50", "p95", "p99", "max")
	fmt.Printf("%-28s %6d %8s %8s %8s %8s\n", *path, len(ds), q(.50), q(.95), q(.99), q(1))
}

// uncached times the dashboard's full computation, as the first request
// after a sale pays it (the HTTP answer adds about a millisecond).
func uncached(args []string) {
	fs := flag.NewFlagSet("uncached", flag.ExitOnError)
	n := fs.Int("n", 100, "computations (sequential, after 5 warm-up)")
	_ = fs.Parse(args)
	cfg, err := config.Load()
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{})
	if err != nil {
		fail(err)
	}
	defer db.Close()
	store := reporte.NewStore(db, cfg.ReportMaxRows)
	now := time.Now().In(cfg.Location)
	today := reporte.LocalDay(now, cfg.Location)
	run := func() time.Duration {
		start := time.Now()
		if _, err := store.Dashboard(ctx, now.Year(), today); err != nil {
			fail(err)
		}
		return time.Since(start)
	}
	for i := 0; i < 5; i++ {
		run()
	}
	ds := make([]time.Duration, *n)
	for i := range ds {
		ds[i] = run()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(p float64) string {
		return fmt.Sprintf("%.2fms", float64(ds[int(p*float64(len(ds)-1))].Microseconds())/1000)
	}
	fmt.Printf("%-28s %6d %8s %8s %8s %8s\n", "dashboard, uncached", len(ds), q(.50), q(.95), q(.99), q(1))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench-dashboard:", err)
	os.Exit(1)
}
