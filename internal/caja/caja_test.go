package caja_test

import (
	"fmt"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestCajasCRUD(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		app := f.app
		ev := f.listen()
		admin, adminTok := app.NewUsuario(role.Admin)
		userTok := app.Token(role.User)

		res := app.Post("/cajas", adminTok, map[string]any{"nombre": "  Caja 01 - General ", "especialidad": "MIXTA", "saldo": 100})
		if res.Status != 201 {
			t.Fatalf("create: %s", res)
		}
		c := res.Map(t)
		if c["nombre"] != "Caja 01 - General" || c["saldo"] != "100.00" || c["especialidad"] != "MIXTA" ||
			c["estado"] != true || c["id_user_create"] != float64(admin.ID) || c["id_user_update"] != nil {
			t.Errorf("created %v", c)
		}
		id := int64(c["id"].(float64))
		if got := ev.take(); fmt.Sprint(got) != "[caja/creada]" {
			t.Errorf("events %v", got)
		}

		for _, tc := range []struct {
			body any
			want string
		}{
			{map[string]any{}, "[nombre es requerido especialidad es requerido]"},
			{map[string]any{"nombre": "ab", "especialidad": "X", "saldo": -1}, "[nombre debe tener al menos 3 caracteres especialidad debe ser uno de: SOLO_VENTAS SOLO_AGENTES MIXTA saldo no debe ser menor que 0]"},
			{map[string]any{"nombre": 5, "especialidad": "MIXTA", "saldo": 1.001, "x": 1}, "[saldo debe tener como máximo 2 decimales nombre debe ser un texto la propiedad x no está permitida]"},
		} {
			res := app.Post("/cajas", adminTok, tc.body)
			if res.Status != 400 || msgs(t, res) != tc.want {
				t.Errorf("POST %v → %s, want 400 %s", tc.body, res, tc.want)
			}
		}
		if res := app.Post("/cajas", userTok, map[string]any{"nombre": "Caja 9", "especialidad": "MIXTA"}); res.Status != 403 {
			t.Errorf("cashier create: %s", res)
		}
		if res := app.Post("/cajas", "", map[string]any{"nombre": "Caja 9", "especialidad": "MIXTA"}); res.Status != 401 {
			t.Errorf("anonymous create: %s", res)
		}

		res = app.Get("/cajas", userTok)
		var list []map[string]any
		res.JSON(t, &list)
		if res.Status != 200 || len(list) != 1 {
			t.Fatalf("list: %s", res)
		}
		res = app.Get(fmt.Sprintf("/cajas/%d", id), userTok)
		if res.Status != 200 || fmt.Sprint(res.Map(t)["sesiones"]) != "[]" {
			t.Errorf("get: %s", res)
		}
		if res := app.Get("/cajas/abc", userTok); res.Status != 400 || msgs(t, res) != "id debe ser un número entero positivo" {
			t.Errorf("bad id: %s", res)
		}
		if res := app.Get("/cajas/999", userTok); res.Status != 404 || msgs(t, res) != "Caja con ID 999 no encontrada o inactiva" {
			t.Errorf("missing: %s", res)
		}
		res = app.Patch(fmt.Sprintf("/cajas/%d", id), adminTok, map[string]any{"nombre": "Caja 01", "saldo": 150})
		if res.Status != 200 || res.Map(t)["saldo"] != "150.00" || res.Map(t)["id_user_update"] != float64(admin.ID) {
			t.Errorf("patch: %s", res)
		}
		if res := app.Patch(fmt.Sprintf("/cajas/%d", id), userTok, map[string]any{"nombre": "Caja 01"}); res.Status != 403 {
			t.Errorf("cashier patch: %s", res)
		}
		// An open session forbids rewriting the saldo and deleting.
		sid := f.abrir(userTok, id)
		if res := app.Patch(fmt.Sprintf("/cajas/%d", id), adminTok, map[string]any{"saldo": 10}); res.Status != 409 ||
			msgs(t, res) != "No se puede modificar el saldo de una caja con sesión abierta" {
			t.Errorf("patch saldo while open: %s", res)
		}
		if res := app.Patch(fmt.Sprintf("/cajas/%d", id), adminTok, map[string]any{"saldo": 150, "nombre": "Caja Uno"}); res.Status != 200 {
			t.Errorf("patch with the same saldo while open: %s", res)
		}
		if res := app.Delete(fmt.Sprintf("/cajas/%d", id), adminTok); res.Status != 409 || msgs(t, res) != "La caja tiene una sesión abierta" {
			t.Errorf("delete while open: %s", res)
		}
		f.invariant(id, sid)
		if res := app.Patch(fmt.Sprintf("/cajas/sesion/%d/cerrar", sid), userTok, map[string]any{"monto_final_real": 150}); res.Status != 200 {
			t.Fatalf("cerrar: %s", res)
		}
		ev.take()
		res = app.Delete(fmt.Sprintf("/cajas/%d", id), adminTok)
		if res.Status != 200 || len(res.Body) != 0 {
			t.Errorf("delete: %s", res)
		}
		if got := ev.take(); fmt.Sprint(got) != "[caja/eliminada]" {
			t.Errorf("events %v", got)
		}
		if res := app.Get(fmt.Sprintf("/cajas/%d", id), userTok); res.Status != 404 {
			t.Errorf("deleted still found: %s", res)
		}
	})
}

func TestSesionLifecycle(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		app := f.app
		ev := f.listen()
		_, adminTok := app.NewUsuario(role.Admin)
		ana, anaTok := app.NewUsuario(role.User)
		luis, luisTok := app.NewUsuario(role.Lider)
		c1 := f.caja(adminTok, "Caja 01 - General", "100")
		c2 := f.caja(adminTok, "Caja 02", "100")
		ev.take()

		// A cashier's monto_inicial is ignored: the base is the saldo.
		res := app.Post("/cajas/abrir", anaTok, map[string]any{"id_caja": c1, "monto_inicial": 150, "id_user_create": 3})
		if res.Status != 201 {
			t.Fatalf("abrir: %s", res)
		}
		s := res.Map(t)
		sid := int64(s["id"].(float64))
		caja, _ := s["caja"].(map[string]any)
		if s["monto_inicial"] != "100.00" || s["estado_sesion"] != "ABIERTA" || s["fecha_cierre"] != nil ||
			s["id_usuario"] != float64(ana.ID) || caja["nombre"] != "Caja 01 - General" || s["monto_final_teorico"] != nil {
			t.Errorf("abrir answered %v", s)
		}
		if got := ev.take(); fmt.Sprint(got) != "[caja/CAJA_ABIERTA]" {
			t.Errorf("events %v", got)
		}
		if res := app.Post("/cajas/abrir", anaTok, map[string]any{"id_caja": c2}); res.Status != 400 || msgs(t, res) != "El usuario ya cuenta con una caja abierta" {
			t.Errorf("second abrir: %s", res)
		}
		if res := app.Post("/cajas/abrir", luisTok, map[string]any{"id_caja": c1}); res.Status != 400 || msgs(t, res) != "La caja ya tiene una sesión abierta" {
			t.Errorf("abrir of a busy caja: %s", res)
		}
		if res := app.Post("/cajas/abrir", luisTok, map[string]any{"id_caja": 999}); res.Status != 404 || msgs(t, res) != "Caja con id 999 no encontrada o inactiva" {
			t.Errorf("abrir of a missing caja: %s", res)
		}
		if res := app.Post("/cajas/abrir", luisTok, map[string]any{"id_caja": c2, "id_usuario": ana.ID}); res.Status != 403 ||
			msgs(t, res) != "No puede abrir una caja a nombre de otro usuario" {
			t.Errorf("abrir for another: %s", res)
		}
		if res := app.Post("/cajas/abrir", luisTok, map[string]any{"id_caja": "x", "monto_inicial": "1"}); res.Status != 400 ||
			msgs(t, res) != "[id_caja debe ser un número entero monto_inicial debe ser un número]" {
			t.Errorf("abrir validation: %s", res)
		}

		// sesion-activa: self or admin; 404 when none.
		if res := app.Get(fmt.Sprintf("/cajas/sesion-activa/%d", ana.ID), anaTok); res.Status != 200 || res.Map(t)["caja"] == nil {
			t.Errorf("sesion-activa: %s", res)
		}
		if res := app.Get(fmt.Sprintf("/cajas/sesion-activa/%d", ana.ID), luisTok); res.Status != 403 ||
			msgs(t, res) != "No puede consultar la sesión de otro usuario" {
			t.Errorf("sesion-activa of another: %s", res)
		}
		if res := app.Get(fmt.Sprintf("/cajas/sesion-activa/%d", luis.ID), luisTok); res.Status != 404 ||
			msgs(t, res) != fmt.Sprintf("No hay sesión activa para el usuario %d", luis.ID) {
			t.Errorf("no session: %s", res)
		}
		if res := app.Get(fmt.Sprintf("/cajas/sesion-activa/%d", ana.ID), adminTok); res.Status != 200 {
			t.Errorf("admin sesion-activa: %s", res)
		}

		// Movimientos.
		mov := func(tok string, body map[string]any) *testkit.Response {
			return app.Post("/cajas/movimiento", tok, body)
		}
		res = mov(anaTok, map[string]any{"tipo": "EGRESO", "monto": 10, "motivo": " Compra de bolsas ", "id_sesion_caja": sid})
		if res.Status != 201 || res.Map(t)["monto"] != "10.00" || res.Map(t)["origen"] != "MANUAL" || res.Map(t)["motivo"] != "Compra de bolsas" {
			t.Fatalf("egreso: %s", res)
		}
		if got := ev.take(); fmt.Sprint(got) != "[caja/saldo_actualizado]" {
			t.Errorf("events %v", got)
		}
		f.invariant(c1, sid)
		if res := mov(anaTok, map[string]any{"tipo": "EGRESO", "monto": 1000, "motivo": "x", "id_sesion_caja": sid}); res.Status != 400 ||
			msgs(t, res) != "Fondos insuficientes en el saldo de la caja. Saldo disponible: 90.00" {
			t.Errorf("egreso beyond the saldo: %s", res)
		}
		if res := mov(anaTok, map[string]any{"tipo": "INGRESO", "monto": 29, "motivo": "Cambio", "id_sesion_caja": sid}); res.Status != 201 {
			t.Errorf("ingreso: %s", res)
		}
		ev.take()
		f.invariant(c1, sid)
		if res := mov(luisTok, map[string]any{"tipo": "INGRESO", "monto": 1, "motivo": "x", "id_sesion_caja": sid}); res.Status != 403 ||
			msgs(t, res) != "La sesión de caja pertenece a otro usuario" {
			t.Errorf("movimiento on another's session: %s", res)
		}
		if res := mov(anaTok, map[string]any{"tipo": "OTRO", "monto": 0.05, "motivo": "  ", "id_sesion_caja": 0}); res.Status != 400 ||
			msgs(t, res) != "[tipo debe ser uno de: INGRESO EGRESO monto no debe ser menor que 0.10 motivo no debe estar vacío id_sesion_caja debe ser mayor que 0]" {
			t.Errorf("movimiento validation: %s", res)
		}
		if res := mov(anaTok, map[string]any{"tipo": "INGRESO", "monto": 1, "motivo": "x", "id_sesion_caja": 999}); res.Status != 404 ||
			msgs(t, res) != "Sesión de caja con ID 999 no encontrada o inactiva" {
			t.Errorf("movimiento on a missing session: %s", res)
		}

		// Balance: a bare string.
		res = app.Get(fmt.Sprintf("/cajas/sesion/%d/balance", sid), luisTok)
		if res.Status != 200 || string(res.Body) != "\"119.00\"\n" {
			t.Errorf("balance: %q", res.Body)
		}

		// Closing: owner or admin; teórico, diferencia, next base.
		if res := app.Patch(fmt.Sprintf("/cajas/sesion/%d/cerrar", sid), luisTok, map[string]any{"monto_final_real": 118.5}); res.Status != 403 ||
			msgs(t, res) != "No puede cerrar la sesión de caja de otro usuario" {
			t.Errorf("cerrar by another: %s", res)
		}
		if res := app.Patch(fmt.Sprintf("/cajas/sesion/%d/cerrar", sid), anaTok, map[string]any{}); res.Status != 400 ||
			msgs(t, res) != "[monto_final_real es requerido]" {
			t.Errorf("cerrar validation: %s", res)
		}
		res = app.Patch(fmt.Sprintf("/cajas/sesion/%d/cerrar", sid), anaTok, map[string]any{"monto_final_real": 118.5})
		s = res.Map(t)
		if res.Status != 200 || s["monto_final_teorico"] != "119.00" || s["monto_final_real"] != "118.50" || s["diferencia"] != "-0.50" ||
			s["estado_sesion"] != "CERRADA" || s["fecha_cierre"] == nil {
			t.Errorf("cerrar: %s", res)
		}
		if got := ev.take(); fmt.Sprint(got) != "[caja/CAJA_CERRADA]" {
			t.Errorf("events %v", got)
		}
		if got := f.saldo(c1); got != 11850 {
			t.Errorf("caja saldo after close %v, want 118.50", got)
		}
		if res := app.Patch(fmt.Sprintf("/cajas/sesion/%d/cerrar", sid), anaTok, map[string]any{"monto_final_real": 1}); res.Status != 400 ||
			msgs(t, res) != "La sesión ya está cerrada" {
			t.Errorf("second close: %s", res)
		}
		if res := app.Patch("/cajas/sesion/999/cerrar", anaTok, map[string]any{"monto_final_real": 1}); res.Status != 404 ||
			msgs(t, res) != "Sesión con ID 999 no encontrada o inactiva" {
			t.Errorf("close missing: %s", res)
		}
		if res := mov(anaTok, map[string]any{"tipo": "INGRESO", "monto": 1, "motivo": "x", "id_sesion_caja": sid}); res.Status != 400 ||
			msgs(t, res) != "No se pueden registrar movimientos en una sesión cerrada" {
			t.Errorf("movimiento on a closed session: %s", res)
		}
		if res := app.Get(fmt.Sprintf("/cajas/sesion/%d/balance", sid), anaTok); string(res.Body) != "\"119.00\"\n" {
			t.Errorf("closed balance: %s", res)
		}
		if res := app.Get(fmt.Sprintf("/cajas/sesion-activa/%d", ana.ID), anaTok); res.Status != 404 {
			t.Errorf("sesion-activa after close: %s", res)
		}
		// The next session starts on the counted cash; an admin's monto_inicial corrects it.
		sid2 := f.abrir(anaTok, c1)
		if got := f.expected(sid2); got != 11850 {
			t.Errorf("next base %v", got)
		}
		res = app.Post("/cajas/abrir", adminTok, map[string]any{"id_caja": c2, "monto_inicial": 80})
		if res.Status != 201 || res.Map(t)["monto_inicial"] != "80.00" || f.saldo(c2) != 8000 {
			t.Errorf("admin abrir with monto_inicial: %s", res)
		}
	})
}
