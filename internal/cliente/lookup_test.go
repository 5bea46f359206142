package cliente_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestSearchQ: search?q= as a cashier asks, on both databases; search?name=
// unchanged beside it.
func TestSearchQ(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		_, tok := app.NewUsuario(role.User)
		_, admin := app.NewUsuario(role.Admin)
		mk := func(name, ced, tel, cel string) string {
			b := body(name)
			b["cli_ruc_ced"], b["cli_telefono"], b["cli_celular"] = ced, tel, cel
			return create(t, app, tok, b)["cli_codigo"].(string)
		}
		exact := mk("Zoila Pérez", "1712345678", "0222222222", "0991111111")
		ruc := mk("Ana Ñúñez", "1712345678001", "0233333333", "0992222222")
		other := mk("Carlos 1712", "1799999999", "0244444444", "0993333333")
		phone := mk("Berta Quispe", "0912345678", "0988888888", "0994444444")
		gone := mk("Inactivo Uno", "1712000000", "0255555555", "0995555555")
		if res := app.Delete(base+"/"+gone, admin); res.Status != http.StatusOK {
			t.Fatalf("delete: %s", res)
		}
		codes := func(q string) []string {
			t.Helper()
			res := app.Get(base+"/search?q="+url.QueryEscape(q), tok)
			if res.Status != http.StatusOK {
				t.Fatalf("q=%q: %s", q, res)
			}
			var v struct {
				Data []struct {
					Codigo string `json:"cli_codigo"`
				} `json:"data"`
			}
			res.JSON(t, &v)
			out := []string{}
			for _, c := range v.Data {
				out = append(out, c.Codigo)
			}
			return out
		}
		cases := []struct {
			q    string
			want []string
		}{
			{"1712345678", []string{exact, ruc}},   // exact cédula first, then the RUC it starts
			{"1712", []string{exact, ruc, other}},  // prefix, by identification, then names; the inactive one left out
			{"17123456780", []string{ruc}},         // longer prefix
			{"171 234-5678", []string{exact, ruc}}, // spaces and dashes ignored
			{"0988888888", []string{phone}},        // a telephone
			{"0994444444", []string{phone}},        // a mobile
			{"0991111111", []string{exact}},        // another mobile
			{"0912345678", []string{phone}},        // a cédula that starts with 09 (Guayas)
			{"9999", []string{}},                   // no such prefix
			{"99999999999999", []string{}},         // too long for an identification
			{exact, []string{exact}},               // a code
			{"cli" + exact[3:], []string{exact}},   // a code in lower case
			{gone, []string{}},                     // an inactive customer's code
			{"nunez", []string{ruc}},               // a name, accent-insensitive
			{"ZOILA pérez", []string{exact}},       // two words, any case
			{"carlos", []string{other}},            // a name with digits in it still found by name
			{"%", []string{}},                      // literal
		}
		for _, tc := range cases {
			if got := codes(tc.q); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("q=%q: %v, want %v", tc.q, got, tc.want)
			}
		}

		// At most 10, and the exact identification first among many prefixes.
		for i := 0; i < 12; i++ {
			mk("Prefijo", "18000000"+string(rune('1'+i/10))+string(rune('0'+i%10)), "0266666666", "0996666666")
		}
		if got := codes("18000000"); len(got) != 10 {
			t.Errorf("q=18000000: %d results, want 10", len(got))
		}
		if got := codes("0266666666"); len(got) != 10 {
			t.Errorf("a shared phone: %d results, want 10", len(got))
		}

		// Blank or missing q; name= unchanged (a cédula is not a name).
		for _, path := range []string{"/search?q=", "/search?q=%20%20"} {
			res := app.Get(base+path, tok)
			expect(t, res, http.StatusBadRequest, "El parámetro 'q' es requerido")
		}
		expect(t, app.Get(base+"/search", tok), http.StatusBadRequest, "El parámetro 'name' es requerido")
		res := app.Get(base+"/search?name=1712345678", tok)
		if res.Status != http.StatusOK || strings.TrimSpace(string(res.Body)) != `{"data":[]}` {
			t.Errorf("name=1712345678: %s", res)
		}
		// Both given: a name search, as before.
		res = app.Get(base+"/search?name=zoila&q=1799999999", tok)
		if res.Status != http.StatusOK || len(res.Map(t)["data"].([]any)) != 1 || res.Map(t)["data"].([]any)[0].(map[string]any)["cli_codigo"] != exact {
			t.Errorf("name and q: %s", res)
		}
		// No token: the Clientes 401.
		expect(t, app.Get(base+"/search?q=1712", ""), http.StatusUnauthorized, "Token no proporcionado")
	})
}
