package cliente

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// FuzzClienteRequests decodes any body as POST and PUT
// /api/pos/clientes do (Bind: decode, trim, validate; with and without the
// strict identity check): no panic, a refusal is a 4xx, and an accepted
// create has the five seed fields within seed 004's rules and SPEC §8's.
func FuzzClienteRequests(f *testing.F) {
	f.Add([]byte(`{"ct_codigo":"UIO001","cli_nombre":"María José Pérez","cli_ruc_ced":"1710034065","cli_telefono":"0991234567","cli_mail":"maria@correo.ec","cli_direccion":"Av. Amazonas","cli_celular":"0987654321"}`))
	f.Add([]byte(`{"ct_codigo":"GYE001","cli_nombre":" Ferretería ","cli_ruc_ced":"1790011674001","cli_telefono":"0422345678","cli_mail":"a@b.ec","cli_celular":""}`))
	f.Add([]byte(`{"cli_estado":"SUS","cli_direccion":null}`))
	f.Add([]byte(`{"ct_codigo":12,"cli_ruc_ced":1710034065,"cli_estado":"INA","x":1}`))
	f.Add([]byte(`{"cli_nombre":"a\u0000b","cli_ruc_ced":"９９９９９９９９９９","cli_telefono":"099-123-456"}`))
	f.Add([]byte(`{"cli_mail":"` + strings.Repeat("a", 61) + `@b.ec","cli_direccion":"` + strings.Repeat("é", 201) + `"}`))
	f.Add([]byte(`{"cli_ruc_ced":"9999999999999","cli_nombre":"Consumidor final","ct_codigo":"` + strings.Repeat("X", 11) + `"}`))
	f.Add([]byte("{\"cli_nombre\":\"\xc0\xaf\"}"))
	validators := map[bool]*httpapi.Validator{false: newValidator(false), true: newValidator(true)}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, strict := range []bool{false, true} {
			bind := func(create bool) (Input, bool) {
				in := Input{create: create}
				err := validators[strict].Bind(httptest.NewRequest("PUT", "/", bytes.NewReader(body)), &in)
				if s := httpapi.AsError(err).Status; err != nil && (s < 400 || s >= 500) {
					t.Fatalf("%q: status %d", body, s)
				}
				return in, err == nil
			}
			if in, ok := bind(false); ok {
				checkGiven(t, body, in)
			}
			if in, ok := bind(true); ok {
				if in.CtCodigo == nil || in.Nombre == nil || in.RucCed == nil || in.Telefono == nil || in.Mail == nil {
					t.Fatalf("create accepted without a required field: %q", body)
				}
				if in.Estado != nil {
					t.Fatalf("create accepted cli_estado: %q", body)
				}
				if strict && !ValidIdentification(*in.RucCed) {
					t.Fatalf("strict create accepted RUC/cédula %q", *in.RucCed)
				}
				checkGiven(t, body, in)
			}
		}
	})
}

// checkGiven checks every given field of an accepted body.
func checkGiven(t *testing.T, body []byte, in Input) {
	t.Helper()
	text := func(p *string, max int) {
		if p != nil && (*p == "" || utf8.RuneCountInString(*p) > max || httpapi.HasControl(*p) || *p != strings.TrimSpace(*p)) {
			t.Fatalf("accepted %q (max %d) from %q", *p, max, body)
		}
	}
	text(in.CtCodigo, 10)
	text(in.Nombre, 120)
	text(in.Mail, 60)
	if in.RucCed != nil && (!isDigits(*in.RucCed) || len(*in.RucCed) != 10 && len(*in.RucCed) != 13) {
		t.Fatalf("accepted cli_ruc_ced %q from %q", *in.RucCed, body)
	}
	if in.Telefono != nil && !tenDigits(*in.Telefono) {
		t.Fatalf("accepted cli_telefono %q from %q", *in.Telefono, body)
	}
	if in.Celular != nil && *in.Celular != "" && !tenDigits(*in.Celular) {
		t.Fatalf("accepted cli_celular %q from %q", *in.Celular, body)
	}
	if in.Direccion != nil && (utf8.RuneCountInString(*in.Direccion) > 200 || httpapi.HasControl(*in.Direccion)) {
		t.Fatalf("accepted cli_direccion %q from %q", *in.Direccion, body)
	}
	if in.Estado != nil && *in.Estado != EstadoActivo && *in.Estado != EstadoInactivo && *in.Estado != EstadoSuspendido {
		t.Fatalf("accepted cli_estado %q from %q", *in.Estado, body)
	}
}

// FuzzIdentificacion checks the cédula/RUC checker on any string: no
// panic; what it accepts is the consumidor final number or 10/13 ASCII
// digits of a real province; and the check digit decides: changing it
// makes a valid number invalid.
func FuzzIdentificacion(f *testing.F) {
	for _, s := range []string{
		"1710034065", "1710034065001", "1790011674001", "1760001550001", "0926687856", "9999999999999",
		"1710034064", "1710034065000", "2510034065", "3010034065", "0000000000", "1790011674000",
		"176000155000", "17100340650010", "17１0034065", "", "abc", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := ValidIdentification(s)
		if !ok || s == ConsumidorFinal {
			return
		}
		if (len(s) != 10 && len(s) != 13) || !isDigits(s) || !validProvince(s[:2]) {
			t.Fatalf("accepted %q", s)
		}
		// The position of the check digit: 10th for cédulas, natural
		// persons and companies (third digit 9), 9th for public entities.
		pos := 9
		if len(s) == 13 && s[2] == '6' {
			pos = 8
		}
		for d := byte('0'); d <= '9'; d++ {
			if d == s[pos] {
				continue
			}
			other := s[:pos] + string(d) + s[pos+1:]
			if ValidIdentification(other) {
				t.Fatalf("%q and %q differ only in the check digit and are both valid", s, other)
			}
		}
		if len(s) == 10 && !ValidIdentification(s+"001") {
			t.Fatalf("cédula %q is valid but its RUC %q is not", s, s+"001")
		}
	})
}
