package cliente_test

import (
	"testing"

	"github.com/kantuta/kantuta/internal/cliente"
	"github.com/kantuta/kantuta/internal/database"
)

func TestValidIdentification(t *testing.T) {
	cases := []struct {
		id   string
		want bool
		why  string
	}{
		{"1710034065", true, "cédula, Pichincha"},
		{"0926687856", true, "cédula, Guayas"},
		{"1710034064", false, "cédula with a wrong check digit"},
		{"2510034062", false, "province 25 does not exist"},
		{"0010034065", false, "province 00 does not exist"},
		{"1770034065", false, "third digit 7 is no cédula"},
		{"1710034065001", true, "RUC of a natural person"},
		{"1710034065000", false, "RUC establishment 000"},
		{"1790011674001", true, "RUC of a private company (mod 11)"},
		{"1790011675001", false, "private company, wrong check digit"},
		{"1790011674000", false, "private company, establishment 000"},
		{"1760013210001", true, "RUC of a public entity (SRI)"},
		{"1760013220001", false, "public entity, wrong check digit"},
		{"1760013210000", false, "public entity, establishment 0000"},
		{"1780011674001", false, "third digit 8 is no RUC type"},
		{"9999999999999", true, "consumidor final"},
		{"9999999999", false, "ten nines are no cédula"},
		{"1234567890001", false, "seed 004's example"},
		{"171003406", false, "nine digits"},
		{"17100340650", false, "eleven digits"},
		{"17100340a5", false, "not numeric"},
		{"", false, "empty"},
	}
	for _, tc := range cases {
		if got := cliente.ValidIdentification(tc.id); got != tc.want {
			t.Errorf("%s (%s): got %v, want %v", tc.id, tc.why, got, tc.want)
		}
	}
}

func TestCedulaForIsValidAndDistinct(t *testing.T) {
	seen := map[string]bool{}
	for n := int64(0); n < 50_000; n++ {
		c := cliente.CedulaFor(n * 7)
		if !cliente.ValidIdentification(c) || seen[c] {
			t.Fatalf("CedulaFor(%d) = %s: invalid or repeated", n*7, c)
		}
		seen[c] = true
	}
}

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"María José":        "maria jose",
		"MARÍA  JOSÉ ":      "maria jose",
		" Ñandú\tPÉREZ\n":   "nandu perez",
		"Comercial_Andina%": "comercial_andina%",
		"Über Ça":           "uber ca",
		"":                  "",
	}
	for in, want := range cases {
		if got := database.SearchForm(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidCodigo(t *testing.T) {
	cases := map[string]bool{"CLI001": true, "CLI1234": true, "CLI01": false, "cli001": false,
		"CLI00a": false, "search": false, "CLI": false, "CLI99999999999999999999": false}
	for in, want := range cases {
		if got := cliente.ValidCodigo(in); got != want {
			t.Errorf("ValidCodigo(%q) = %v, want %v", in, got, want)
		}
	}
}
