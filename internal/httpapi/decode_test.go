package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/money"
)

type sample struct {
	Name   string  `json:"name"`
	Age    *int    `json:"age"`
	Active *bool   `json:"active"`
	Email  *string `json:"email"`
}

func TestDecodeJSONBytes(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		status   int
		messages []string
	}{
		{"ok", `{"name":"ana","age":3}`, 0, nil},
		{"empty body is an empty object", ``, 0, nil},
		{"unknown fields all reported", `{"name":"a","zeta":1,"alpha":2}`, 400, []string{"la propiedad alpha no está permitida", "la propiedad zeta no está permitida"}},
		{"wrong types all reported", `{"name":5,"age":"x","active":"yes"}`, 400, []string{"name debe ser un texto", "age debe ser un número entero", "active debe ser un booleano"}},
		{"malformed", `{"name":`, 400, nil},
		{"array top level", `[1,2]`, 400, nil},
		{"invalid utf8", "{\"name\":\"\xff\"}", 400, nil},
		{"fractional int", `{"age":1.5}`, 400, []string{"age debe ser un número entero"}},
		{"null keeps zero", `{"email":null}`, 0, nil},
		{"null body", `null`, 400, nil},
		{"NUL in a string", `{"name":"a\u0000b","email":"x\u0000"}`, 400, []string{"name no debe contener el carácter NUL", "email no debe contener el carácter NUL"}},
		{"escaped backslash is not NUL", `{"name":"a\\u0000b"}`, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s sample
			err := DecodeJSONBytes([]byte(tc.body), &s)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			e := AsError(err)
			if e.Status != tc.status {
				t.Fatalf("status %d, want %d (%v)", e.Status, tc.status, err)
			}
			if tc.messages != nil && !reflect.DeepEqual(e.Messages, tc.messages) {
				t.Fatalf("messages %q, want %q", e.Messages, tc.messages)
			}
		})
	}
	var s sample
	if err := DecodeJSONBytes([]byte(`{"name":"ana","age":7,"active":false}`), &s); err != nil || s.Name != "ana" || *s.Age != 7 || *s.Active {
		t.Fatalf("decoded wrong: %+v %v", s, err)
	}
	if AsError(DecodeJSONBytes([]byte(`{"x":1}`), &s)).Status != http.StatusBadRequest {
		t.Fatal("unknown field must be a 400")
	}
}

type validated struct {
	Email    string `json:"email" validate:"required,email,max=150"`
	Password string `json:"password" validate:"required,minbytes=8,maxbytes=72"`
	Genero   string `json:"genero" validate:"required,oneof=M F O"`
	Subject  string `json:"subject" validate:"nocontrol"`
}

func TestValidatorMessages(t *testing.T) {
	v := NewValidator()
	got := v.Problems(validated{Email: "nope", Password: "short", Genero: "X", Subject: "a\r\nBcc: x"})
	want := []Problem{
		{"email", "email", "email debe ser un correo válido"},
		{"password", "minbytes", "password debe tener al menos 8 bytes"},
		{"genero", "oneof", "genero debe ser uno de: M, F, O"},
		{"subject", "nocontrol", "subject no debe contener saltos de línea ni caracteres de control"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if problems := v.Problems(validated{Email: "a@b.co", Password: "12345678", Genero: "F"}); problems != nil {
		t.Fatalf("valid struct reported %q", problems)
	}
	v.Message("email.required", "el correo es obligatorio")
	if p := v.Problems(validated{Password: "12345678", Genero: "F"}); len(p) != 1 || p[0].Message != "el correo es obligatorio" {
		t.Fatalf("override not used: %q", p)
	}
}

func TestBindReportsEveryFailureOnce(t *testing.T) {
	v := NewValidator()
	type body struct {
		Email string `json:"email" validate:"required,email"`
		Name  string `json:"name" validate:"required,max=5"`
	}
	cases := []struct {
		name string
		body string
		want []string // nil: accepted
	}{
		{"valid", `{"email":"a@b.co","name":"ana"}`, nil},
		{"unknown field and validation together", `{"email":"nope","extra":1}`,
			[]string{"email debe ser un correo válido", "name es requerido", "la propiedad extra no está permitida"}},
		{"a mistyped field is reported once", `{"email":5,"name":"ana"}`, []string{"email debe ser un texto"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			var b body
			err := v.Bind(r, &b)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			e := AsError(err)
			if e.Status != 400 || !reflect.DeepEqual(e.Messages, tc.want) {
				t.Fatalf("got %d %q, want %q", e.Status, e.Messages, tc.want)
			}
		})
	}
	r, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(`{"email":`))
	var b body
	if e := AsError(v.Bind(r, &b)); e.Status != 400 || e.Code != CodeMalformed {
		t.Fatalf("malformed body: %+v", e)
	}
}

func TestBindMoney(t *testing.T) {
	type body struct {
		Precio *money.Amount `json:"precio_venta" validate:"required,money,mmin=0,mmax=9999999999.99"`
		Monto  money.Amount  `json:"monto" validate:"omitempty,money,mmin=0.10"`
	}
	val := NewValidator()
	cases := []struct {
		in   string
		want []string
	}{
		{`{"precio_venta":10.5,"monto":1}`, nil},
		{`{}`, []string{"precio_venta es requerido"}},
		{`{"precio_venta":"10"}`, []string{"precio_venta debe ser un número"}},
		{`{"precio_venta":10.123}`, []string{"precio_venta debe tener como máximo 2 decimales"}},
		{`{"precio_venta":-1}`, []string{"precio_venta no debe ser menor que 0"}},
		{`{"precio_venta":10000000000}`, []string{"precio_venta no debe ser mayor que 9999999999.99"}},
		{`{"precio_venta":1,"monto":0.05}`, []string{"monto no debe ser menor que 0.10"}},
	}
	for _, c := range cases {
		var b body
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.in))
		err := val.Bind(r, &b)
		var got []string
		if err != nil {
			got = AsError(err).Messages
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBindNestedLists(t *testing.T) {
	type line struct {
		IDProducto *int64        `json:"id_producto" validate:"required,gt=0"`
		Cantidad   *int64        `json:"cantidad" validate:"required,min=1,max=1000000"`
		Costo      *money.Amount `json:"costo_unitario" validate:"required,money,mmin=0,mmax=9999999999.99"`
	}
	type body struct {
		Pagar    *bool  `json:"pagar_con_caja" validate:"required"`
		Detalles []line `json:"detalles" validate:"required,min=1,max=2,dive"`
	}
	val := NewValidator()
	cases := []struct {
		in   string
		want []string
	}{
		{`{"pagar_con_caja":false,"detalles":[{"id_producto":1,"cantidad":2,"costo_unitario":6.5}]}`, nil},
		{`{"pagar_con_caja":false}`, []string{"detalles es requerido"}},
		{`{"pagar_con_caja":false,"detalles":[]}`, []string{"detalles debe contener al menos 1 elemento"}},
		{`{"pagar_con_caja":false,"detalles":"x"}`, []string{"detalles debe ser una lista"}},
		{`{"pagar_con_caja":false,"detalles":[1]}`, []string{"detalles.0 debe ser un objeto"}},
		{`{"pagar_con_caja":false,"detalles":[{},{},{}]}`, []string{"detalles debe contener como máximo 2 elementos"}},
		{`{"pagar_con_caja":false,"detalles":[{"id_producto":"a","cantidad":0,"costo_unitario":1.001,"x":1}]}`,
			[]string{"detalles.0.cantidad no debe ser menor que 1", "detalles.0.costo_unitario debe tener como máximo 2 decimales",
				"detalles.0.id_producto debe ser un número entero", "la propiedad detalles.0.x no está permitida"}},
		{`{"pagar_con_caja":false,"detalles":[{"id_producto":1,"cantidad":1,"costo_unitario":1},{"cantidad":2000000,"costo_unitario":-1,"id_producto":2}]}`,
			[]string{"detalles.1.cantidad no debe ser mayor que 1000000", "detalles.1.costo_unitario no debe ser menor que 0"}},
	}
	for _, c := range cases {
		var b body
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.in))
		err := val.Bind(r, &b)
		var got []string
		if err != nil {
			got = AsError(err).Messages
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	var b body
	_ = val.Bind(httptest.NewRequest("POST", "/", strings.NewReader(`{"pagar_con_caja":true,"detalles":[{"id_producto":7,"cantidad":3,"costo_unitario":6.50}]}`)), &b)
	if len(b.Detalles) != 1 || *b.Detalles[0].IDProducto != 7 || *b.Detalles[0].Cantidad != 3 || *b.Detalles[0].Costo != "6.50" {
		t.Errorf("decoded %+v", b)
	}
}

// Shared is a group of fields several bodies embed (as persona's are).
type Shared struct {
	Nombres *string `json:"nombres" validate:"required_create,omitnil,notblank,max=5"`
	Genero  *string `json:"genero" validate:"required_create,omitnil,oneof=M F O"`
}

type sharedBody struct {
	Email *string `json:"email" validate:"filled,email"`
	Shared
	Name   *string `json:"name" validate:"omitnil,max=3"`
	create bool
}

func (b *sharedBody) Creates() bool { return b.create }

func (b *sharedBody) Normalize() {
	if b.Genero != nil {
		g := strings.ToUpper(*b.Genero)
		b.Genero = &g
	}
}

// TestBindEmbeddedCreateAndNormalize: an embedded struct's fields are the
// body's own (decoded, validated and named as such, in field order);
// required_create needs them only when the body creates; Normalize runs
// between decoding and validation; every problem says its field and rule.
func TestBindEmbeddedCreateAndNormalize(t *testing.T) {
	v := NewValidator()
	for _, tc := range []struct {
		name   string
		body   string
		create bool
		want   []Problem
	}{
		{"create, all missing", `{}`, true, []Problem{
			{"email", "filled", "email es requerido"}, {"nombres", "required_create", "nombres es requerido"},
			{"genero", "required_create", "genero es requerido"}}},
		{"update, none given", `{"email":"a@b.co"}`, false, nil},
		{"update, blank and too long", `{"email":"","nombres":"","name":"abcd"}`, false, []Problem{
			{"email", "filled", "email es requerido"}, {"nombres", "notblank", "nombres no debe estar vacío"},
			{"name", "max", "name debe tener como máximo 3 caracteres"}}},
		{"create, normalized and valid", `{"email":"a@b.co","nombres":"Ana","genero":"f"}`, true, nil},
		{"create, empty is missing", `{"email":"a@b.co","nombres":"","genero":"x"}`, true, []Problem{
			{"nombres", "required_create", "nombres es requerido"}, {"genero", "oneof", "genero debe ser uno de: M, F, O"}}},
		{"decoder problems come last, typed", `{"email":"a@b.co","nombres":5,"genero":"M","otro":1}`, true, []Problem{
			{"nombres", RuleType, "nombres debe ser un texto"}, {"otro", RuleUnknown, "la propiedad otro no está permitida"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			b := sharedBody{create: tc.create}
			err := v.Bind(r, &b)
			var got []Problem
			if err != nil {
				e := AsError(err)
				got = e.Problems
				if e.Status != 400 || len(e.Messages) != len(got) {
					t.Fatalf("error %v", err)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
			if tc.want == nil && tc.create && *b.Genero != "F" {
				t.Fatalf("not normalized: %q", *b.Genero)
			}
		})
	}
}

// fieldOrdered is a body with the three SPEC §12.2 behaviours: notnull
// fields, the names the request sent, problems in field order.
type fieldOrdered struct {
	Sent
	Nombre   *string `json:"nombre" validate:"omitempty,notnull,notblank,max=5"`
	Email    *string `json:"email" validate:"omitempty,email"`
	Stock    *int64  `json:"stock" validate:"omitempty,notnull,min=0"`
	Activo   *bool   `json:"activo" validate:"notnull"`
	Detalles []struct {
		Cantidad *int64 `json:"cantidad" validate:"required,min=1"`
	} `json:"detalles" validate:"omitempty,notnull,dive"`
}

func (fieldOrdered) FieldOrdered() {}

func (b *fieldOrdered) Normalize() {
	if b.Nombre != nil {
		*b.Nombre = strings.TrimSpace(*b.Nombre)
	}
}

// unordered is the same kind of body without FieldOrdered: rules first,
// then the decoder.
type unordered struct {
	Stock  *int64  `json:"stock" validate:"omitempty,notnull,min=0"`
	Nombre *string `json:"nombre" validate:"omitempty,max=5"`
}

func TestBindNotNullSentAndFieldOrder(t *testing.T) {
	val := NewValidator()
	cases := []struct {
		in        string
		unordered bool
		want      []string
		sent      []string
	}{
		{in: `{}`},
		{in: `{"email":null}`, sent: []string{"email"}},
		{in: `{"nombre":"  abc  ","activo":true}`, sent: []string{"activo", "nombre"}},
		{in: `{"nombre":null}`, want: []string{"nombre no debe estar vacío"}},
		{in: `{"activo":null,"stock":null}`, want: []string{"stock no debe estar vacío", "activo no debe estar vacío"}},
		{in: `{"detalles":null}`, want: []string{"detalles no debe estar vacío"}},
		{in: `{"detalles":[{"cantidad":null}]}`, want: []string{"detalles.0.cantidad es requerido"}},
		{in: `{"nombre":"   "}`, want: []string{"nombre no debe estar vacío"}},
		// Field order: the decoder's stock before the rules' email; unknown last.
		{in: `{"x":1,"email":"no","stock":"a","nombre":"abcdefgh"}`,
			want: []string{"nombre debe tener como máximo 5 caracteres", "email debe ser un correo válido", "stock debe ser un número entero", "la propiedad x no está permitida"}},
		// Without FieldOrdered: the rules' problems, then the decoder's.
		{in: `{"stock":null,"nombre":"abcdefgh"}`, unordered: true,
			want: []string{"nombre debe tener como máximo 5 caracteres", "stock no debe estar vacío"}},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.in))
		var err error
		var b fieldOrdered
		if c.unordered {
			err = val.Bind(r, &unordered{})
		} else {
			err = val.Bind(r, &b)
		}
		var got []string
		if err != nil {
			got = AsError(err).Messages
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
		if c.unordered || c.want != nil {
			continue
		}
		for _, name := range []string{"nombre", "email", "stock", "activo", "detalles"} {
			if b.Has(name) != slices.Contains(c.sent, name) {
				t.Errorf("%s: Has(%q) = %v", c.in, name, b.Has(name))
			}
		}
		if c.in == `{"nombre":"  abc  ","activo":true}` && *b.Nombre != "abc" {
			t.Errorf("Normalize did not run: %q", *b.Nombre)
		}
	}
}

// lenient is a body whose unknown properties are ignored (Lenient).
type lenient struct {
	Name  *string `json:"name"`
	Lines []struct {
		Qty *int64 `json:"qty"`
	} `json:"lines"`
}

func (lenient) Lenient() {}

func TestBindLenient(t *testing.T) {
	val := NewValidator()
	val.Message("name.type", "name must be a string")
	cases := []struct {
		in   string
		want []string
		name string
	}{
		{in: `{"name":"ana","refreshToken":"x","id":7}`, name: "ana"},
		{in: `{"lines":[{"qty":1,"extra":true}],"zeta":null}`},
		{in: `{}`},
		{in: `{"name":null,"other":1}`},
		// Types are still checked, and a decoder rule takes a per-field message.
		{in: `{"name":5,"x":1}`, want: []string{"name must be a string"}},
		{in: `{"lines":[{"qty":"a","y":2}]}`, want: []string{"lines.0.qty debe ser un número entero"}},
		{in: `{"name":"a\u0000"}`, want: []string{"name no debe contener el carácter NUL"}, name: "a\x00"},
	}
	for _, c := range cases {
		var b lenient
		err := val.Bind(httptest.NewRequest("POST", "/", strings.NewReader(c.in)), &b)
		var got []string
		if err != nil {
			got = AsError(err).Messages
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
		if c.name != "" && (b.Name == nil || *b.Name != c.name) {
			t.Errorf("%s: name %v, want %q", c.in, b.Name, c.name)
		}
	}
	// Without Lenient the same body is refused.
	var s sample
	if e := AsError(val.Bind(httptest.NewRequest("POST", "/", strings.NewReader(`{"name":"a","refreshToken":"x"}`)), &s)); e.Status != 400 || e.Messages[0] != "la propiedad refreshToken no está permitida" {
		t.Fatalf("strict: %v", e)
	}
}
