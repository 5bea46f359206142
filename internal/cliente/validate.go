package cliente

import (
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/kantuta/kantuta/internal/httpapi"
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
// given fields change (a JSON null counts as not given). On POST the five
// seed fields are required (required_create) and cli_estado is refused.
type Input struct {
	CtCodigo  *string `json:"ct_codigo" validate:"required_create,omitnil,filled,max=10,nocontrol"`
	Nombre    *string `json:"cli_nombre" validate:"required_create,omitnil,filled,max=120,nocontrol"`
	RucCed    *string `json:"cli_ruc_ced" validate:"required_create,omitnil,digits,idlength,identification"`
	Telefono  *string `json:"cli_telefono" validate:"required_create,omitnil,tendigits"`
	Mail      *string `json:"cli_mail" validate:"required_create,omitnil,filled,max=60,nocontrol,email"`
	Direccion *string `json:"cli_direccion" validate:"omitnil,max=200,nocontrol"`
	Celular   *string `json:"cli_celular" validate:"omitnil,tendigits|len=0"`
	Estado    *string `json:"cli_estado" validate:"omitnil,updateonly,oneof=ACT INA SUS"` // PUT only; changes need admin or lider

	create bool
}

// Creates tells the validator whether this is a POST (httpapi.Creator).
func (in *Input) Creates() bool { return in.create }

// Normalize trims every given string, as the contract says, before
// validation (httpapi.Normalizer).
func (in *Input) Normalize() {
	for _, p := range []*string{in.CtCodigo, in.Nombre, in.RucCed, in.Telefono, in.Mail, in.Direccion, in.Celular, in.Estado} {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
}

// newValidator is the clientes family's validator: the shared rules and
// seed 004's messages, one per field whatever rule failed.
func newValidator(strictID bool) *httpapi.Validator {
	v := httpapi.NewValidator()
	text := func(fn func(string) bool) validator.Func {
		return func(fl validator.FieldLevel) bool { return fn(fl.Field().String()) }
	}
	v.Rule("digits", text(isDigits), "")
	v.Rule("idlength", text(func(s string) bool { return len(s) == 10 || len(s) == 13 }), "")
	v.Rule("identification", text(func(s string) bool { return !strictID || ValidIdentification(s) }), "")
	v.Rule("tendigits", text(tenDigits), "")
	v.Rule("updateonly", func(fl validator.FieldLevel) bool {
		in, ok := fl.Top().Interface().(*Input)
		return !ok || !in.create
	}, "")
	for field, msg := range map[string]string{
		"ct_codigo": msgCtCodigo, "cli_nombre": msgNombre, "cli_ruc_ced": msgRucCed,
		"cli_ruc_ced.idlength": msgRucCedLength, "cli_ruc_ced.identification": msgRucCedInvalid,
		"cli_telefono": msgTelefono, "cli_mail": msgMail, "cli_mail.email": msgMailInvalid,
		"cli_direccion": msgDireccion, "cli_celular": msgCelular,
		"cli_estado": msgEstado, "cli_estado.updateonly": msgEstadoOnCreate,
	} {
		v.Message(field, msg)
	}
	return v
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
