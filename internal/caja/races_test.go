package caja_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// parallel runs fn n times at once and returns the statuses.
func parallel(n int, fn func(i int) *testkit.Response) map[int]int {
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := fn(i)
			mu.Lock()
			counts[r.Status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

func TestRaceLastUnits(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, adminTok := f.app.NewUsuario(role.Admin)
		_, tok := f.app.NewUsuario(role.User)
		p := f.product("Galletas", 400, 250, 50, 3)
		c := f.caja(adminTok, "Caja 01", "0")
		sid := f.abrir(tok, c)
		got := parallel(100, func(int) *testkit.Response { return f.sell(tok, sid, "EFECTIVO", [2]int64{p, 1}) })
		if got[201] != 50 || got[400] != 50 || len(got) != 2 {
			t.Errorf("100 sales of 50 units: %v", got)
		}
		if s := f.stock(p); s != 0 {
			t.Errorf("stock %d", s)
		}
		if f.saldo(c) != 50*400 {
			t.Errorf("saldo %v", f.saldo(c))
		}
		f.invariant(c, sid)
		f.checkAggregates()
		f.checkStockLedger()
	})
}

func TestRaceCrossedLines(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, adminTok := f.app.NewUsuario(role.Admin)
		_, tokA := f.app.NewUsuario(role.User)
		_, tokB := f.app.NewUsuario(role.User)
		a := f.product("A", 100, 50, 100000, 0)
		b := f.product("B", 200, 50, 100000, 0)
		c1, c2 := f.caja(adminTok, "Caja 01", "0"), f.caja(adminTok, "Caja 02", "0")
		s1, s2 := f.abrir(tokA, c1), f.abrir(tokB, c2)
		const rounds = 40
		got := parallel(2*rounds, func(i int) *testkit.Response {
			if i%2 == 0 {
				return f.sell(tokA, s1, "EFECTIVO", [2]int64{a, 1}, [2]int64{b, 1})
			}
			return f.sell(tokB, s2, "EFECTIVO", [2]int64{b, 1}, [2]int64{a, 1})
		})
		if got[201] != 2*rounds {
			t.Errorf("[A,B] ∥ [B,A]: %v", got)
		}
		if f.stock(a) != 100000-2*rounds || f.stock(b) != 100000-2*rounds {
			t.Errorf("stock %d %d", f.stock(a), f.stock(b))
		}
		f.invariant(c1, s1)
		f.invariant(c2, s2)
		f.checkAggregates()
	})
}

func TestRaceClose(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, adminTok := f.app.NewUsuario(role.Admin)
		_, tok := f.app.NewUsuario(role.User)
		p := f.product("Galletas", 400, 250, 100000, 3)
		c := f.caja(adminTok, "Caja 01", "1000")
		sid := f.abrir(tok, c)
		var teorico string
		got := parallel(61, func(i int) *testkit.Response {
			switch {
			case i == 30:
				r := f.app.Patch(fmt.Sprintf("/cajas/sesion/%d/cerrar", sid), tok, map[string]any{"monto_final_real": 1000})
				if r.Status == 200 {
					teorico = fmt.Sprint(r.Map(t)["monto_final_teorico"])
				}
				return r
			case i%3 == 0:
				return f.app.Post("/cajas/movimiento", tok, map[string]any{"tipo": "EGRESO", "monto": 1, "motivo": "x", "id_sesion_caja": sid})
			default:
				return f.sell(tok, sid, "EFECTIVO", [2]int64{p, 1})
			}
		})
		if got[500]+got[503] != 0 || got[200] != 1 || got[200]+got[201]+got[400] != 61 {
			t.Errorf("statuses %v", got)
		}
		// Every row that exists committed before the close (later ones were refused).
		if want := f.expected(sid); teorico != want.String() {
			t.Errorf("teórico %s, committed rows give %v", teorico, want)
		}
		if f.saldo(c) != money.Cents(100000) {
			t.Errorf("saldo after close %v", f.saldo(c))
		}
	})
}

func TestRaceAbrir(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, adminTok := f.app.NewUsuario(role.Admin)
		c := f.caja(adminTok, "Caja 01", "0")
		toks := make([]string, 20)
		for i := range toks {
			_, toks[i] = f.app.NewUsuario(role.User)
		}
		got := parallel(20, func(i int) *testkit.Response {
			return f.app.Post("/cajas/abrir", toks[i], map[string]any{"id_caja": c})
		})
		if got[201] != 1 || got[400] != 19 {
			t.Errorf("20 parallel abrir: %v", got)
		}
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM sesiones_caja WHERE id_caja = ?", c).Row().Scan(&n); err != nil || n != 1 {
			t.Errorf("%d sessions (%v)", n, err)
		}
	})
}
