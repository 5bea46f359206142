package recarga_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// fixture: a caja with saldo and an open session of the usuario.
func openSession(t *testing.T, db *database.DB, usuarioID int64, saldo money.Cents) (cajaID, sesionID int64) {
	t.Helper()
	if err := db.Raw("INSERT INTO cajas (nombre, saldo) VALUES (?, ?) RETURNING id", fmt.Sprintf("Caja %d", usuarioID), db.Money(saldo)).
		Row().Scan(&cajaID); err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("INSERT INTO sesiones_caja (id_caja, id_usuario, monto_inicial) VALUES (?, ?, ?) RETURNING id", cajaID, usuarioID, db.Money(saldo)).
		Row().Scan(&sesionID); err != nil {
		t.Fatal(err)
	}
	return cajaID, sesionID
}

func cents(t *testing.T, db *database.DB, q string, args ...any) money.Cents {
	t.Helper()
	var c money.Cents
	if err := db.Raw(q, args...).Row().Scan(&c); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return c
}

func count(t *testing.T, db *database.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(q, args...).Row().Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func saldoOp(t *testing.T, db *database.DB, op string) money.Cents {
	return cents(t, db, "SELECT saldo_actual FROM operadoras_saldos WHERE nombre_operadora = ?", op)
}

func message(t *testing.T, r *testkit.Response) any {
	t.Helper()
	return r.Map(t)["message"]
}

func record(bus *realtime.Bus) (get func() []realtime.Event, cancel func()) {
	var mu sync.Mutex
	var got []realtime.Event
	cancel = bus.Subscribe(func(e realtime.Event) { mu.Lock(); got = append(got, e); mu.Unlock() })
	return func() []realtime.Event {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}, cancel
}

func TestRecargasFlow(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		maria, tok := app.NewUsuario(role.User)
		admin := app.Token(role.Admin)
		other := app.Token(role.User)
		cajaID, ses := openSession(t, db, maria.ID, 10000)
		events, cancel := record(app.Bus)
		defer cancel()

		res := app.Get("/recargas/operadoras/saldos", tok)
		var ops []map[string]any
		res.JSON(t, &ops)
		if res.Status != 200 || len(ops) != 3 || ops[0]["nombre_operadora"] != "Tigo" || ops[1]["nombre_operadora"] != "Entel" ||
			ops[2]["nombre_operadora"] != "Viva" || ops[0]["saldo_actual"] != "0.00" || ops[0]["comision_porcentaje"] != "0.00" {
			t.Fatalf("saldos: %s", res)
		}

		// Inyección Tigo 50: cash out, balance in.
		res = app.Post("/recargas/inyeccion", tok, map[string]any{"operadora_destino": "Tigo", "monto": 50, "id_caja_sesion": ses})
		iny := res.Map(t)
		if res.Status != 201 || iny["monto"] != "50.00" || iny["comision"] != "0.00" || iny["monto_acreditado"] != "50.00" ||
			iny["operadora_destino"] != "Tigo" || iny["id_caja_origen"] != float64(ses) || iny["id_user_create"] != float64(maria.ID) {
			t.Fatalf("inyeccion: %s", res)
		}
		if got := events(); !reflect.DeepEqual(got, []realtime.Event{{Entity: "caja", Action: "saldo_actualizado"}, {Entity: "inyeccion", Action: "creada"}}) {
			t.Errorf("inyeccion events: %v", got)
		}
		if s := saldoOp(t, db, "Tigo"); s != 5000 {
			t.Errorf("Tigo = %v", s)
		}
		if s := cents(t, db, "SELECT saldo FROM cajas WHERE id = ?", cajaID); s != 5000 {
			t.Errorf("caja = %v", s)
		}

		// Recarga Tigo 10: balance out, cash in.
		res = app.Post("/recargas/cliente", tok, map[string]any{"operadora": "Tigo", "numero_cliente": "78945612", "monto": 10, "id_caja_sesion": ses})
		rec := res.Map(t)
		if res.Status != 201 || rec["monto"] != "10.00" || rec["numero_cliente"] != "78945612" || rec["operadora"] != "Tigo" ||
			rec["id_caja_sesion"] != float64(ses) || rec["estado"] != true {
			t.Fatalf("recarga: %s", res)
		}
		if got := events(); !reflect.DeepEqual(got, []realtime.Event{{Entity: "caja", Action: "saldo_actualizado"}, {Entity: "recarga", Action: "creada"}}) {
			t.Errorf("recarga events: %v", got)
		}
		if s := saldoOp(t, db, "Tigo"); s != 4000 {
			t.Errorf("Tigo = %v", s)
		}
		if s := cents(t, db, "SELECT saldo FROM cajas WHERE id = ?", cajaID); s != 6000 {
			t.Errorf("caja = %v", s)
		}
		var motivos []string
		rows, err := db.Raw("SELECT tipo || ' ' || origen || ' ' || motivo FROM movimientos_caja WHERE id_sesion_caja = ? ORDER BY id", ses).Rows()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var m string
			_ = rows.Scan(&m)
			motivos = append(motivos, m)
		}
		rows.Close()
		want := []string{"EGRESO INYECCION Fondeo de saldo a operadora Tigo", "INGRESO RECARGA Venta de recarga a cliente 78945612 (Tigo)"}
		if !reflect.DeepEqual(motivos, want) {
			t.Errorf("movimientos = %q", motivos)
		}

		// Failures change nothing and publish nothing.
		for _, c := range []struct {
			path   string
			body   map[string]any
			tok    string
			status int
			msg    any
		}{
			{"/recargas/cliente", map[string]any{"operadora": "Entel", "numero_cliente": "78945612", "monto": 10, "id_caja_sesion": ses}, tok,
				400, "Saldo insuficiente para la operadora Entel. Saldo actual: 0.00"},
			{"/recargas/inyeccion", map[string]any{"operadora_destino": "Viva", "monto": 500, "id_caja_sesion": ses}, tok,
				400, "Fondos insuficientes en el saldo de la caja para realizar el fondeo. Saldo disponible: Bs. 60.00"},
			{"/recargas/cliente", map[string]any{"operadora": "Tigo", "numero_cliente": "78945612", "monto": 10, "id_caja_sesion": ses}, other,
				403, "La sesión de caja pertenece a otro usuario"},
			{"/recargas/cliente", map[string]any{"operadora": "Tigo", "numero_cliente": "78945612", "monto": 10, "id_caja_sesion": 999999}, tok,
				400, "La sesión de caja no existe o no está ABIERTA."},
			{"/recargas/cliente", map[string]any{"operadora": "Tigo", "numero_cliente": "78945612", "monto": 40.01, "id_caja_sesion": ses}, tok,
				400, "Saldo insuficiente para la operadora Tigo. Saldo actual: 40.00"},
		} {
			res := app.Post(c.path, c.tok, c.body)
			if res.Status != c.status || !reflect.DeepEqual(message(t, res), c.msg) {
				t.Errorf("%s %v: %s", c.path, c.body, res)
			}
		}
		if got := events(); len(got) != 0 {
			t.Errorf("failed writes published %v", got)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM movimientos_caja"); n != 2 {
			t.Errorf("movimientos = %d", n)
		}
		if s := saldoOp(t, db, "Viva"); s != 0 {
			t.Errorf("Viva = %v", s)
		}

		// Admin may post into any open session.
		if res := app.Post("/recargas/cliente", admin, map[string]any{"operadora": "Tigo", "numero_cliente": "70000001", "monto": 0.1, "id_caja_sesion": ses}); res.Status != 201 {
			t.Errorf("admin recarga: %s", res)
		}
		events()

		// Commission: admin only; credited as bonus at inyección, half up.
		if res := app.Patch("/recargas/operadoras/1", tok, map[string]any{"comision_porcentaje": 12.5}); res.Status != 403 {
			t.Errorf("cashier PATCH: %s", res)
		}
		res = app.Patch("/recargas/operadoras/1", admin, map[string]any{"comision_porcentaje": 12.5})
		if res.Status != 200 || res.Map(t)["comision_porcentaje"] != "12.50" || res.Map(t)["nombre_operadora"] != "Tigo" {
			t.Fatalf("PATCH: %s", res)
		}
		if got := events(); !reflect.DeepEqual(got, []realtime.Event{{Entity: "operadora", Action: "actualizada"}}) {
			t.Errorf("PATCH events: %v", got)
		}
		if res := app.Patch("/recargas/operadoras/9", admin, map[string]any{"comision_porcentaje": 1}); res.Status != 404 {
			t.Errorf("PATCH 9: %s", res)
		}
		before := saldoOp(t, db, "Tigo")
		res = app.Post("/recargas/inyeccion", tok, map[string]any{"operadora_destino": "Tigo", "monto": 10.01, "id_caja_sesion": ses})
		iny = res.Map(t)
		// 10.01 × 12.5% = 1.25125 → 1.25
		if res.Status != 201 || iny["comision"] != "1.25" || iny["monto_acreditado"] != "11.26" {
			t.Fatalf("inyeccion with commission: %s", res)
		}
		if s := saldoOp(t, db, "Tigo"); s != before+1126 {
			t.Errorf("Tigo = %v, want %v", s, before+1126)
		}

		// A closed session takes nothing.
		if err := db.Exec("UPDATE sesiones_caja SET estado_sesion = 'CERRADA', fecha_cierre = created_at WHERE id = ?", ses).Error; err != nil {
			t.Fatal(err)
		}
		res = app.Post("/recargas/cliente", tok, map[string]any{"operadora": "Tigo", "numero_cliente": "78945612", "monto": 1, "id_caja_sesion": ses})
		if res.Status != 400 || message(t, res) != "La sesión de caja no existe o no está ABIERTA." {
			t.Errorf("closed: %s", res)
		}

		// Histories: the cashier sees her sessions', another cashier none,
		// admin all; newest first, with the session embedded.
		res = app.Get("/recargas/historial/clientes", tok)
		var hist []map[string]any
		res.JSON(t, &hist)
		if res.Status != 200 || len(hist) != 2 || hist[0]["numero_cliente"] != "70000001" || hist[1]["numero_cliente"] != "78945612" {
			t.Fatalf("historial: %s", res)
		}
		cs := hist[0]["caja_sesion"].(map[string]any)
		if cs["id"] != float64(ses) || cs["id_caja"] != float64(cajaID) || cs["id_usuario"] != float64(maria.ID) || cs["estado_sesion"] != "CERRADA" {
			t.Errorf("caja_sesion = %v", cs)
		}
		if res := app.Get("/recargas/historial/clientes", other); res.Status != 200 || string(res.Body) != "[]\n" {
			t.Errorf("other's historial: %s", res)
		}
		for q, n := range map[string]int{
			"":                                       2,
			"?limit=1":                               1,
			"?limit=1&page=2":                        1,
			"?limit=1&page=3":                        0,
			"?operadora=Entel":                       0,
			"?operadora=Tigo&desde=2000-01-01":       2,
			"?hasta=2000-01-01":                      0,
			fmt.Sprintf("?id_caja_sesion=%d", ses):   2,
			fmt.Sprintf("?id_caja_sesion=%d", ses+1): 0,
		} {
			res := app.Get("/recargas/historial/clientes"+q, admin)
			var l []any
			res.JSON(t, &l)
			if res.Status != 200 || len(l) != n {
				t.Errorf("historial%s: %d rows, want %d: %s", q, len(l), n, res)
			}
		}
		res = app.Get("/recargas/historial/inyecciones?operadora=Tigo", tok)
		res.JSON(t, &hist)
		if res.Status != 200 || len(hist) != 2 || hist[0]["monto"] != "10.01" || hist[0]["caja_origen"].(map[string]any)["id"] != float64(ses) {
			t.Errorf("inyecciones: %s", res)
		}
		res = app.Get("/recargas/historial/inyecciones?desde=2026-02-30&hasta=x&limit=0&page=-1&operadora=Claro&id_caja_sesion=abc", admin)
		want = []string{"desde debe ser una fecha válida (YYYY-MM-DD)", "hasta debe ser una fecha válida (YYYY-MM-DD)",
			"operadora debe ser uno de: Tigo, Entel, Viva", "id_caja_sesion debe ser un número entero positivo",
			"limit debe ser un número entero entre 1 y 1000", "page debe ser un número entero positivo"}
		if got := message(t, res); res.Status != 400 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("bad query: %s", res)
		}
		if res := app.Get("/recargas/historial/clientes?desde=2026-07-02&hasta=2026-07-01", admin); res.Status != 400 {
			t.Errorf("desde > hasta: %s", res)
		}
	})
}

func TestRecargasValidation(t *testing.T) {
	db := testkit.NewSQLite(t)
	app := testkit.NewApp(t, db)
	tok := app.Token(role.User)
	for _, c := range []struct {
		path string
		body any
		want []string
	}{
		{"/recargas/cliente", map[string]any{}, []string{"operadora debe ser uno de: Tigo, Entel, Viva", "numero_cliente debe tener 8 dígitos",
			"monto debe ser un número", "id_caja_sesion debe ser un número entero positivo"}},
		{"/recargas/cliente", map[string]any{"operadora": "tigo", "numero_cliente": "7894561", "monto": 0.05, "id_caja_sesion": -1},
			[]string{"operadora debe ser uno de: Tigo, Entel, Viva", "numero_cliente debe tener 8 dígitos",
				"monto no debe ser menor que 0.10", "id_caja_sesion debe ser un número entero positivo"}},
		{"/recargas/cliente", map[string]any{"operadora": "Tigo", "numero_cliente": 78945612, "monto": "10", "id_caja_sesion": "5", "x": 1},
			[]string{"numero_cliente debe ser un texto", "monto debe ser un número", "id_caja_sesion debe ser un número entero positivo",
				"la propiedad x no está permitida"}},
		{"/recargas/cliente", `{"operadora":"Tigo","numero_cliente":"7894561a","monto":10.123,"id_caja_sesion":1.5}`,
			[]string{"numero_cliente debe tener 8 dígitos", "monto debe tener a lo sumo 2 decimales", "id_caja_sesion debe ser un número entero positivo"}},
		{"/recargas/cliente", `{"operadora":"Tigo","numero_cliente":"78945612","monto":1000000.01,"id_caja_sesion":1}`,
			[]string{"monto no puede superar 1000000"}},
		{"/recargas/cliente", `{"operadora":"Tigo","numero_cliente":"78945612","monto":1e300,"id_caja_sesion":1}`,
			[]string{"monto no puede superar 1000000"}},
		{"/recargas/inyeccion", map[string]any{"operadora_destino": "Claro", "monto": 0.99, "id_caja_sesion": 0},
			[]string{"operadora_destino debe ser uno de: Tigo, Entel, Viva", "monto no debe ser menor que 1", "id_caja_sesion debe ser un número entero positivo"}},
		{"/recargas/operadoras/1", map[string]any{"comision_porcentaje": 100.5}, []string{"comision_porcentaje no puede superar 100"}},
		{"/recargas/operadoras/1", map[string]any{"comision_porcentaje": -1}, []string{"comision_porcentaje no debe ser menor que 0"}},
		{"/recargas/operadoras/1", map[string]any{}, []string{"comision_porcentaje debe ser un número"}},
	} {
		var res *testkit.Response
		if c.path == "/recargas/operadoras/1" {
			res = app.Patch(c.path, app.Token(role.Admin), c.body)
		} else {
			res = app.Post(c.path, tok, c.body)
		}
		var got struct{ Message []string }
		res.JSON(t, &got)
		if res.Status != 400 || !reflect.DeepEqual(got.Message, c.want) {
			t.Errorf("%s %v:\n got %s\nwant %q", c.path, c.body, res, c.want)
		}
	}
	if res := app.Patch("/recargas/operadoras/abc", app.Token(role.Admin), map[string]any{"comision_porcentaje": 1}); res.Status != 400 ||
		res.Map(t)["message"] != "id debe ser un número entero positivo" {
		t.Errorf("bad id: %s", res)
	}
	// Not served: the legacy routes and WhatsApp beyond /connect.
	for _, p := range []string{"/recargas/transaccion", "/recargas/seed", "/recargas/sesion-inicializar"} {
		if res := app.Post(p, tok, map[string]any{}); res.Status != 404 || res.Map(t)["message"] != "Cannot POST "+p {
			t.Errorf("%s: %s", p, res)
		}
	}
}

// SPEC §14.5's acceptance: 50 concurrent 10.00 top-ups on a balance of
// 200.00 → exactly 20 × 201 and 30 × 400, balance 0.00, the caja +200.00,
// 20 movimientos, on both databases.
func TestRecargasRace(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		u, tok := app.NewUsuario(role.User)
		cajaID, ses := openSession(t, db, u.ID, 5000)
		if err := db.Exec("UPDATE operadoras_saldos SET saldo_actual = ? WHERE nombre_operadora = 'Tigo'", db.Money(20000)).Error; err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		statuses := make(chan int, 50)
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := app.Post("/recargas/cliente", tok, map[string]any{"operadora": "Tigo", "numero_cliente": "78945612", "monto": 10, "id_caja_sesion": ses})
				statuses <- res.Status
			}()
		}
		wg.Wait()
		close(statuses)
		byStatus := map[int]int{}
		for s := range statuses {
			byStatus[s]++
		}
		if byStatus[201] != 20 || byStatus[400] != 30 || len(byStatus) != 2 {
			t.Errorf("statuses = %v, want 20 × 201 and 30 × 400", byStatus)
		}
		if s := saldoOp(t, db, "Tigo"); s != 0 {
			t.Errorf("Tigo saldo = %v, want 0.00", s)
		}
		if s := cents(t, db, "SELECT saldo FROM cajas WHERE id = ?", cajaID); s != 5000+20000 {
			t.Errorf("caja saldo = %v, want 250.00", s)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM movimientos_caja WHERE id_sesion_caja = ? AND origen = 'RECARGA'", ses); n != 20 {
			t.Errorf("movimientos = %d, want 20", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM recargas_clientes"); n != 20 {
			t.Errorf("recargas = %d, want 20", n)
		}
		t.Logf("%s: %v, Tigo 0.00, caja +200.00, 20 movimientos", db.Dialect, byStatus)
	})
}
