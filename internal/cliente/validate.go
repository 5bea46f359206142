package cliente

import (
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// The messages of seed 004's validateClienteDTO, to the character, and ours
// for the rules SPEC §8 adds.
const (
	msgCtCodigo        = "ct_codigo es requerido y máximo 10 caracteres"
	msgCtCodigoUnknown = "ct_codigo no existe"
	msgNombre          = "cli_nombre es requerido y máximo 120 caracteres"
	msgRucCed          = "cli_ruc_ced es requerido y debe ser numérico"
	msgRucCedLength    = "cli_ruc_ced debe tener 10 dígitos (cédula) o 13 (RUC)"
	msgRucCedInvalid   = "cli_ruc_ced no es una cédula o RUC válido"
	msgTelefono        = "cli_telefono es requerido y debe tener 10 dígitos numéricos"
	msgMail            = "cli_mail es requerido y máximo 60 caracteres"
	msgMailInvalid     = "cli_mail debe ser un correo válido"
	msgDireccion       = "cli_direccion debe tener como máximo 200 caracteres, sin caracteres de control"
	msgCelular         = "cli_celular debe tener 10 dígitos numéricos"
	msgEstado          = "cli_estado debe ser ACT, INA o SUS"
	msgEstadoOnCreate  = "la propiedad cli_estado no está permitida"
)

// Input is the body of POST and PUT. Nil means "not given": on PUT only
// given fields change (a JSON null counts as not given).
type Input struct {
	CtCodigo  *string `json:"ct_codigo"`
	Nombre    *string `json:"cli_nombre"`
	RucCed    *string `json:"cli_ruc_ced"`
	Telefono  *string `json:"cli_telefono"`
	Mail      *string `json:"cli_mail"`
	Direccion *string `json:"cli_direccion"`
	Celular   *string `json:"cli_celular"`
	Estado    *string `json:"cli_estado"` // PUT only; changes need admin or lider
}

// trim trims every given string, as the contract says, before validation.
func (in *Input) trim() {
	for _, p := range []*string{in.CtCodigo, in.Nombre, in.RucCed, in.Telefono, in.Mail, in.Direccion, in.Celular, in.Estado} {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
}

var emailCheck = validator.New()

// validate lists every failing rule in field order. On create the five
// seed fields are required; on update only given fields are checked.
func validate(in Input, create, strictID bool) []string {
	var msgs []string
	fail := func(m string) { msgs = append(msgs, m) }
	required := func(p *string) bool { return p != nil || create }

	if required(in.CtCodigo) && !textOK(in.CtCodigo, 10) {
		fail(msgCtCodigo)
	}
	if required(in.Nombre) && !textOK(in.Nombre, 120) {
		fail(msgNombre)
	}
	if required(in.RucCed) {
		switch {
		case in.RucCed == nil || !isDigits(*in.RucCed):
			fail(msgRucCed)
		case len(*in.RucCed) != 10 && len(*in.RucCed) != 13:
			fail(msgRucCedLength)
		case strictID && !ValidIdentification(*in.RucCed):
			fail(msgRucCedInvalid)
		}
	}
	if required(in.Telefono) && (in.Telefono == nil || !tenDigits(*in.Telefono)) {
		fail(msgTelefono)
	}
	if required(in.Mail) {
		switch {
		case !textOK(in.Mail, 60):
			fail(msgMail)
		case emailCheck.Var(*in.Mail, "email") != nil:
			fail(msgMailInvalid)
		}
	}
	if in.Direccion != nil && (utf8.RuneCountInString(*in.Direccion) > 200 || hasControl(*in.Direccion)) {
		fail(msgDireccion)
	}
	if in.Celular != nil && *in.Celular != "" && !tenDigits(*in.Celular) {
		fail(msgCelular)
	}
	if in.Estado != nil {
		switch {
		case create:
			fail(msgEstadoOnCreate)
		case *in.Estado != EstadoActivo && *in.Estado != EstadoInactivo && *in.Estado != EstadoSuspendido:
			fail(msgEstado)
		}
	}
	return msgs
}

func textOK(p *string, max int) bool {
	return p != nil && *p != "" && utf8.RuneCountInString(*p) <= max && !hasControl(*p)
}

// hasControl catches NUL and friends, which no name or address carries and
// PostgreSQL refuses to store.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func tenDigits(s string) bool { return len(s) == 10 && isDigits(s) }

// optional turns a given-but-empty optional field into NULL.
func optional(p *string) *string {
	if p == nil || *p == "" {
		return nil
	}
	v := *p
	return &v
}
