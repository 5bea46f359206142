package cliente_test

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kantuta/kantuta/internal/cliente"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

const base = "/api/pos/clientes"

var seq struct {
	sync.Mutex
	n int64
}

// body is a valid create body with a fresh, valid cédula.
func body(name string) map[string]any {
	seq.Lock()
	seq.n++
	n := seq.n
	seq.Unlock()
	return map[string]any{
		"ct_codigo": "UIO001", "cli_nombre": name, "cli_ruc_ced": cliente.CedulaFor(143_000_000 + n), // far from the seed's range
		"cli_telefono": "0987654321", "cli_mail": "cliente@example.com",
		"cli_direccion": "Av. Principal 123", "cli_celular": "0998765432",
	}
}

func create(t *testing.T, app *testkit.App, tok string, b map[string]any) map[string]any {
	t.Helper()
	res := app.Post(base, tok, b)
	if res.Status != http.StatusCreated {
		t.Fatalf("create %v: %s", b["cli_nombre"], res)
	}
	return res.Map(t)["data"].(map[string]any)
}

func errorsOf(t *testing.T, res *testkit.Response) []string {
	t.Helper()
	var v struct {
		Errors []string `json:"errors"`
	}
	res.JSON(t, &v)
	return v.Errors
}

func message(t *testing.T, res *testkit.Response) string {
	t.Helper()
	m := res.Map(t)
	s, _ := m["message"].(string)
	return s
}

func expect(t *testing.T, res *testkit.Response, status int, msg string) {
	t.Helper()
	if res.Status != status || message(t, res) != msg {
		t.Fatalf("got %s, want %d %q", res, status, msg)
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var clienteKeys = []string{"cli_celular", "cli_codigo", "cli_direccion", "cli_estado", "cli_fecha_alta",
	"cli_fecha_baja", "cli_mail", "cli_nombre", "cli_ruc_ced", "cli_telefono", "ct_codigo"}

func TestCreateGetListType(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		tok := app.Token(role.User)
		b := body("  Juan Pérez ")
		b["cli_mail"] = " Juan@Example.com "
		res := app.Post(base, tok, b)
		if res.Status != http.StatusCreated || message(t, res) != "Cliente creado exitosamente" {
			t.Fatalf("create: %s", res)
		}
		data := res.Map(t)["data"].(map[string]any)
		if !reflect.DeepEqual(keys(data), clienteKeys) {
			t.Fatalf("keys %v", keys(data))
		}
		if data["cli_codigo"] != "CLI001" || data["cli_nombre"] != "Juan Pérez" || data["cli_mail"] != "Juan@Example.com" ||
			data["cli_estado"] != "ACT" || data["cli_fecha_baja"] != nil || data["ct_codigo"] != "UIO001" {
			t.Fatalf("data %v", data)
		}
		got := app.Get(base+"/CLI001", tok)
		if got.Status != 200 || !reflect.DeepEqual(got.Map(t), data) {
			t.Fatalf("get: %s", got)
		}
		expect(t, app.Get(base+"/CLI999", tok), 404, "Cliente no encontrado")
		expect(t, app.Get(base+"/nope", tok), 404, "Cliente no encontrado")

		create(t, app, tok, body("Ana Zambrano"))
		noDir := body("Carlos López")
		delete(noDir, "cli_direccion")
		delete(noDir, "cli_celular")
		c := create(t, app, tok, noDir)
		if c["cli_direccion"] != nil || c["cli_celular"] != nil || c["cli_codigo"] != "CLI003" {
			t.Fatalf("optional fields: %v", c)
		}

		var opts []map[string]any
		app.Get(base+"/type", tok).JSON(t, &opts)
		want := []map[string]any{{"cli_codigo": "CLI002", "cli_nombre": "Ana Zambrano"},
			{"cli_codigo": "CLI003", "cli_nombre": "Carlos López"}, {"cli_codigo": "CLI001", "cli_nombre": "Juan Pérez"}}
		if !reflect.DeepEqual(opts, want) {
			t.Fatalf("type: %v", opts)
		}

		list := app.Get(base, tok).Map(t)
		if list["message"] != "Listado obtenido correctamente" || list["count"] != 3.0 || list["total"] != 3.0 ||
			list["page"] != 1.0 || list["pages"] != 1.0 {
			t.Fatalf("list: %v", list)
		}
		first := list["data"].([]any)[0].(map[string]any)
		if first["cli_nombre"] != "Ana Zambrano" || !reflect.DeepEqual(keys(first), clienteKeys) {
			t.Fatalf("list order/shape: %v", first)
		}

		var cities []map[string]any
		res = app.Get("/api/pos/ciudades", tok)
		res.JSON(t, &cities)
		found := map[string]map[string]any{}
		for _, c := range cities {
			found[c["ct_codigo"].(string)] = c
		}
		if res.Status != 200 || len(cities) != 33 || found["UIO001"]["nombre"] != "Quito" ||
			found["GYE001"]["nombre"] != "Guayaquil" || found["LPZ001"]["pais"] != "Bolivia" ||
			found["SCZ001"]["provincia"] != "Santa Cruz" || len(found["UIO001"]) != 4 {
			t.Fatalf("ciudades: %s", res)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		tok := app.Token(role.User)
		with := func(changes map[string]any) map[string]any {
			b := body("Cliente Válido")
			for k, v := range changes {
				if v == nil {
					delete(b, k)
				} else {
					b[k] = v
				}
			}
			return b
		}
		long := func(n int) string { return fmt.Sprintf("%0*d", n, 0) }
		cases := []struct {
			name string
			body any
			want []string
		}{
			{"empty body", map[string]any{}, []string{
				"ct_codigo es requerido y máximo 10 caracteres",
				"cli_nombre es requerido y máximo 120 caracteres",
				"cli_ruc_ced es requerido y debe ser numérico",
				"cli_telefono es requerido y debe tener 10 dígitos numéricos",
				"cli_mail es requerido y máximo 60 caracteres"}},
			{"blank strings", with(map[string]any{"ct_codigo": " ", "cli_nombre": "  ", "cli_ruc_ced": " ", "cli_telefono": "", "cli_mail": " "}), []string{
				"ct_codigo es requerido y máximo 10 caracteres",
				"cli_nombre es requerido y máximo 120 caracteres",
				"cli_ruc_ced es requerido y debe ser numérico",
				"cli_telefono es requerido y debe tener 10 dígitos numéricos",
				"cli_mail es requerido y máximo 60 caracteres"}},
			{"too long", with(map[string]any{"ct_codigo": "ABCDEFGHIJK", "cli_nombre": repeat("x", 121), "cli_mail": long(55) + "@x.com"}), []string{
				"ct_codigo es requerido y máximo 10 caracteres",
				"cli_nombre es requerido y máximo 120 caracteres",
				"cli_mail es requerido y máximo 60 caracteres"}},
			{"120 accented characters fit", with(map[string]any{"cli_nombre": repeat("é", 120)}), nil},
			{"unknown city", with(map[string]any{"ct_codigo": "XXX999", "cli_telefono": "12"}), []string{
				"ct_codigo no existe", "cli_telefono es requerido y debe tener 10 dígitos numéricos"}},
			{"ruc not numeric", with(map[string]any{"cli_ruc_ced": "17100340-5"}), []string{"cli_ruc_ced es requerido y debe ser numérico"}},
			{"ruc wrong length", with(map[string]any{"cli_ruc_ced": "12345"}), []string{"cli_ruc_ced debe tener 10 dígitos (cédula) o 13 (RUC)"}},
			{"telefono letters", with(map[string]any{"cli_telefono": "09876543ab"}), []string{"cli_telefono es requerido y debe tener 10 dígitos numéricos"}},
			{"mail invalid", with(map[string]any{"cli_mail": "no-es-correo"}), []string{"cli_mail debe ser un correo válido"}},
			{"celular", with(map[string]any{"cli_celular": "123"}), []string{"cli_celular debe tener 10 dígitos numéricos"}},
			{"direccion", with(map[string]any{"cli_direccion": repeat("a", 201)}), []string{"cli_direccion debe tener como máximo 200 caracteres, sin caracteres de control"}},
			{"NUL is refused while decoding", with(map[string]any{"cli_nombre": "Ana\x00", "cli_mail": "a\x00@b.co", "cli_direccion": "Calle\x001"}), []string{
				"cli_nombre no debe contener el carácter NUL", "cli_mail no debe contener el carácter NUL",
				"cli_direccion no debe contener el carácter NUL"}},
			{"control characters", with(map[string]any{"cli_nombre": "Ana\x07", "cli_mail": "a\x07@b.co", "cli_direccion": "Calle\x071"}), []string{
				"cli_nombre es requerido y máximo 120 caracteres", "cli_mail es requerido y máximo 60 caracteres",
				"cli_direccion debe tener como máximo 200 caracteres, sin caracteres de control"}},
			{"estado not on create", with(map[string]any{"cli_estado": "ACT"}), []string{"la propiedad cli_estado no está permitida"}},
			{"unknown field", with(map[string]any{"extra": 1}), []string{"la propiedad extra no está permitida"}},
			{"wrong type", with(map[string]any{"cli_telefono": 987654321}), []string{"cli_telefono debe ser un texto"}},
			{"seed example ruc passes without the strict check", with(map[string]any{"cli_ruc_ced": "1234567890001"}), nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := app.Post(base, tok, tc.body)
				if tc.want == nil {
					if res.Status != 201 {
						t.Fatalf("want 201, got %s", res)
					}
					return
				}
				if res.Status != 400 || !reflect.DeepEqual(errorsOf(t, res), tc.want) {
					t.Fatalf("got %s\nwant %q", res, tc.want)
				}
			})
		}
		res := app.Post(base, tok, `{"ct_codigo":`)
		if res.Status != 400 || message(t, res) == "" || len(res.Map(t)) != 1 {
			t.Fatalf("bad JSON: %s", res)
		}
	})
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

func TestStrictIdentification(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db, map[string]string{"CLIENTES_VALIDAR_IDENTIFICACION": "true"})
		tok := app.Token(role.User)
		for ruc, ok := range map[string]bool{
			"1234567890001": false, "1710034064": false,
			"1710034065": true, "1790011674001": true, "1760013210001": true, "9999999999999": true,
		} {
			b := body("Cliente " + ruc)
			b["cli_ruc_ced"] = ruc
			res := app.Post(base, tok, b)
			if ok && res.Status != 201 {
				t.Fatalf("%s: %s", ruc, res)
			}
			if !ok && (res.Status != 400 || !reflect.DeepEqual(errorsOf(t, res), []string{"cli_ruc_ced no es una cédula o RUC válido"})) {
				t.Fatalf("%s: %s", ruc, res)
			}
		}
	})
}

func TestDuplicateAndSoftDelete(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		user, lider, admin := app.Token(role.User), app.Token(role.Lider), app.Token(role.Admin)
		b := body("María Duplicada")
		first := create(t, app, user, b)
		expect(t, app.Post(base, user, b), 409, "Ya existe un cliente con ese RUC/cédula")

		expect(t, app.Delete(base+"/CLI001", user), 403, "No tiene permisos para esta operación")
		expect(t, app.Delete(base+"/CLI404", lider), 404, "Cliente no encontrado")
		expect(t, app.Delete(base+"/CLI001", lider), 200, "Cliente eliminado correctamente")
		gone := app.Get(base+"/CLI001", user).Map(t)
		if gone["cli_estado"] != "INA" || gone["cli_fecha_alta"] != first["cli_fecha_alta"] || gone["cli_fecha_baja"] == nil {
			t.Fatalf("after delete: %v (before %v)", gone, first)
		}
		expect(t, app.Delete(base+"/CLI001", admin), 200, "Cliente eliminado correctamente")
		if again := app.Get(base+"/CLI001", user).Map(t); again["cli_fecha_baja"] != gone["cli_fecha_baja"] {
			t.Fatalf("second delete moved cli_fecha_baja: %v", again)
		}
		if l := app.Get(base, user).Map(t); l["total"] != 0.0 {
			t.Fatalf("inactive listed: %v", l)
		}
		if s := app.Get(base+"/search?name=maria", user).Map(t); len(s["data"].([]any)) != 0 {
			t.Fatalf("inactive found: %v", s)
		}
		if res := app.Get(base+"/type", user); res.Status != 200 || strings.TrimSpace(string(res.Body)) != "[]" {
			t.Fatalf("inactive in /type (want an empty array): %s", res)
		}
		// The identification is free again once its holder is inactive…
		second := create(t, app, user, b)
		code2 := base + "/" + second["cli_codigo"].(string)
		if second["cli_codigo"] == "CLI001" {
			t.Fatalf("code reused: %v", second)
		}
		// …and reactivating the old one would duplicate it.
		expect(t, app.Put(base+"/CLI001", admin, map[string]any{"cli_estado": "ACT"}), 409, "Ya existe un cliente con ese RUC/cédula")
		expect(t, app.Put(code2, lider, map[string]any{"cli_ruc_ced": cliente.CedulaFor(999_999)}), 200, "Cliente actualizado correctamente")
		back := app.Put(base+"/CLI001", admin, map[string]any{"cli_estado": "ACT"}).Map(t)["data"].(map[string]any)
		if back["cli_estado"] != "ACT" || back["cli_fecha_baja"] != nil || back["cli_fecha_alta"] != first["cli_fecha_alta"] {
			t.Fatalf("reactivated: %v", back)
		}
		expect(t, app.Put(code2, user, map[string]any{"cli_ruc_ced": b["cli_ruc_ced"]}), 409, "Ya existe un cliente con ese RUC/cédula")
	})
}

func TestUpdate(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		user, lider := app.Token(role.User), app.Token(role.Lider)
		orig := create(t, app, user, body("Pedro Páez"))
		path := base + "/CLI001"

		res := app.Put(path, user, map[string]any{"cli_telefono": " 0987654999 ", "cli_direccion": "", "cli_estado": "ACT"})
		if res.Status != 200 || message(t, res) != "Cliente actualizado correctamente" {
			t.Fatalf("update: %s", res)
		}
		got := res.Map(t)["data"].(map[string]any)
		want := map[string]any{}
		for k, v := range orig {
			want[k] = v
		}
		want["cli_telefono"], want["cli_direccion"] = "0987654999", nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("only given fields must change:\ngot  %v\nwant %v", got, want)
		}
		if g := app.Get(path, user).Map(t); !reflect.DeepEqual(g, want) {
			t.Fatalf("stored: %v", g)
		}

		cases := []struct {
			name string
			body any
			want []string
		}{
			{"one bad field", map[string]any{"cli_telefono": "123"}, []string{"cli_telefono es requerido y debe tener 10 dígitos numéricos"}},
			{"blank name", map[string]any{"cli_nombre": " "}, []string{"cli_nombre es requerido y máximo 120 caracteres"}},
			{"unknown city", map[string]any{"ct_codigo": "ZZZ001"}, []string{"ct_codigo no existe"}},
			{"bad estado", map[string]any{"cli_estado": "XXX"}, []string{"cli_estado debe ser ACT, INA o SUS"}},
			{"unknown field", map[string]any{"cli_codigo": "CLI999"}, []string{"la propiedad cli_codigo no está permitida"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := app.Put(path, user, tc.body)
				if res.Status != 400 || !reflect.DeepEqual(errorsOf(t, res), tc.want) {
					t.Fatalf("got %s, want %q", res, tc.want)
				}
			})
		}
		expect(t, app.Put(base+"/CLI404", user, map[string]any{"cli_nombre": "X"}), 404, "Cliente no encontrado para actualizar")
		expect(t, app.Put(path, user, map[string]any{"cli_estado": "SUS"}), 403, "Solo un administrador o líder puede cambiar cli_estado")

		res = app.Put(path, lider, map[string]any{"cli_estado": "SUS", "cli_nombre": "Pedro Páez Ortiz", "ct_codigo": "GYE001"})
		got = res.Map(t)["data"].(map[string]any)
		if res.Status != 200 || got["cli_estado"] != "SUS" || got["ct_codigo"] != "GYE001" || got["cli_fecha_alta"] != orig["cli_fecha_alta"] {
			t.Fatalf("lider update: %s", res)
		}
		// Suspended customers are still found by search, not listed as active.
		if s := app.Get(base+"/search?name=ortiz", user).Map(t); len(s["data"].([]any)) != 1 {
			t.Fatalf("renamed customer not found by its new name: %v", s)
		}
		if s := app.Get(base+"/search?name=paez", user).Map(t); len(s["data"].([]any)) != 1 {
			t.Fatalf("search after update: %v", s)
		}
		if l := app.Get(base, user).Map(t); l["total"] != 0.0 {
			t.Fatalf("suspended listed: %v", l)
		}
		if res := app.Put(path, user, `{"cli_nombre":`); res.Status != 400 || message(t, res) == "" {
			t.Fatalf("bad JSON: %s", res)
		}
	})
}

func TestPagination(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		tok := app.Token(role.User)
		for i := 0; i < 25; i++ {
			create(t, app, tok, body(fmt.Sprintf("Cliente %02d", i)))
		}
		cases := []struct {
			query        string
			count, first int
		}{{"", 20, 0}, {"?page=1", 20, 0}, {"?page=2", 5, 20}, {"?page=3", 0, -1}, {"?page=2147483647", 0, -1}}
		for _, tc := range cases {
			m := app.Get(base+tc.query, tok).Map(t)
			data := m["data"].([]any)
			if m["count"] != float64(tc.count) || len(data) != tc.count || m["total"] != 25.0 || m["pages"] != 2.0 {
				t.Fatalf("%q: %v", tc.query, m)
			}
			if tc.first >= 0 && data[0].(map[string]any)["cli_nombre"] != fmt.Sprintf("Cliente %02d", tc.first) {
				t.Fatalf("%q order: %v", tc.query, data[0])
			}
		}
		for _, q := range []string{"0", "-1", "abc", "1.5", "", "99999999999999999999"} {
			expect(t, app.Get(base+"?page="+q, tok), 400, "El parámetro 'page' debe ser un número entero mayor o igual a 1")
		}
	})
}

func TestSearch(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		tok := app.Token(role.User)
		for _, n := range []string{"Ana María Torres", "María José Pérez", "Mariana Ruiz", "José Martínez",
			"Juan Pérez", "100% Natural S.A.", "Comercial_Andina", "Comercial Andina", "Rosa Mar", "Ñandú Importaciones"} {
			create(t, app, tok, body(n))
		}
		inactive := create(t, app, tok, body("María Inactiva"))
		app.Delete(base+"/"+inactive["cli_codigo"].(string), app.Token(role.Admin))

		names := func(q string) []string {
			res := app.Get(base+"/search?name="+q, tok)
			if res.Status != 200 {
				t.Fatalf("search %q: %s", q, res)
			}
			var v struct {
				Data []map[string]any `json:"data"`
			}
			res.JSON(t, &v)
			out := []string{}
			for _, c := range v.Data {
				if len(c) != len(clienteKeys) {
					t.Fatalf("search row shape: %v", c)
				}
				out = append(out, c["cli_nombre"].(string))
			}
			return out
		}
		marias := []string{"María José Pérez", "Mariana Ruiz", "Ana María Torres"}
		cases := []struct {
			query string
			want  []string
		}{
			{"maria", marias},
			{"Mar%C3%ADa", marias}, // María
			{"MAR%C3%8DA", marias}, // MARÍA
			{"+maria++", marias},   // trimmed
			{"jose", []string{"José Martínez", "María José Pérez"}},
			{"PEREZ", []string{"Juan Pérez", "María José Pérez"}},
			{"maria%20jose", []string{"María José Pérez"}},
			{"%25", []string{"100% Natural S.A."}},     // %
			{"_", []string{"Comercial_Andina"}},        // _ only, not any character
			{"l_a", []string{"Comercial_Andina"}},      // l_a, not "l a"
			{"l%25a", []string{}},                      // l%a taken literally
			{"nandu", []string{"Ñandú Importaciones"}}, // ñ folds to n
			{"ma", []string{"María José Pérez", "Mariana Ruiz", "Ana María Torres", "José Martínez", "Rosa Mar"}}, // short term
			{"zzz", []string{}},
			{"%22x", []string{}}, // a quote cannot break the FTS query
			{"jos%00e", []string{"José Martínez", "María José Pérez"}}, // NUL dropped, no 500
		}
		for _, tc := range cases {
			if got := names(tc.query); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("search %q: got %q, want %q", tc.query, got, tc.want)
			}
		}
		for _, q := range []string{"", "?name=", "?name=%20%20", "?nombre=x"} {
			expect(t, app.Get(base+"/search"+q, tok), 400, "El parámetro 'name' es requerido")
		}
		for i := 0; i < 12; i++ {
			create(t, app, tok, body(fmt.Sprintf("Carlos Prueba %02d", i)))
		}
		if got := names("prueba"); len(got) != 10 || got[0] != "Carlos Prueba 00" {
			t.Fatalf("limit: %q", got)
		}
	})
}

func TestConcurrentCreates(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		tok := app.Token(role.User)
		const n = 20
		codes := make(chan string, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			b := body(fmt.Sprintf("Concurrente %d", i))
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := app.Post(base, tok, b)
				if res.Status != 201 {
					t.Errorf("create: %s", res)
					return
				}
				var v struct {
					Data struct {
						Codigo string `json:"cli_codigo"`
					} `json:"data"`
				}
				res.JSON(t, &v)
				codes <- v.Data.Codigo
			}()
		}
		wg.Wait()
		close(codes)
		seen := map[string]bool{}
		for c := range codes {
			if seen[c] || !cliente.ValidCodigo(c) {
				t.Fatalf("bad or repeated code %q", c)
			}
			seen[c] = true
		}
		if len(seen) != n {
			t.Fatalf("%d distinct codes, want %d", len(seen), n)
		}
	})
}

func TestAuthentication(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		routes := []struct{ method, path string }{
			{"GET", base}, {"POST", base}, {"GET", base + "/CLI001"}, {"GET", base + "/search?name=a"},
			{"GET", base + "/type"}, {"PUT", base + "/CLI001"}, {"DELETE", base + "/CLI001"}, {"GET", "/api/pos/ciudades"},
		}
		for _, rt := range routes {
			var b any
			if rt.method == "POST" || rt.method == "PUT" {
				b = map[string]any{}
			}
			expect(t, app.Do(testkit.Request{Method: rt.method, Path: rt.path, Body: b}), 401, "Token no proporcionado")
			expect(t, app.Do(testkit.Request{Method: rt.method, Path: rt.path, Body: b, Token: "not.a.token"}), 401, "Token inválido o expirado")
		}
	})
}
