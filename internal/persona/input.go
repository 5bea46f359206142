package persona

import (
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// Fields are the persona fields of a request body, declared once and
// embedded by each body that carries them (POST and PUT /persona, POST
// /usuario/register); nil means "not given". A body that creates (see
// httpapi.Creator) must give the required_create ones.
type Fields struct {
	Nombres         *string `json:"nombres" validate:"required_create,omitnil,notblank,max=100"`
	PApellido       *string `json:"p_apellido" validate:"required_create,omitnil,notblank,max=50"`
	SApellido       *string `json:"s_apellido" validate:"omitnil,max=50"` // "" clears it
	FechaNacimiento *string `json:"fecha_nacimiento" validate:"required_create,omitnil,filled,date,notfuture,since1900"`
	Genero          *string `json:"genero" validate:"required_create,omitnil,filled,genero"`
}

var minBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// RegisterRules adds the persona rules (date, notfuture, since1900,
// genero, persona_id) to v; the app's shared validator gets them at start-up.
func RegisterRules(v *httpapi.Validator) {
	date := func(fl validator.FieldLevel) (time.Time, bool) { return httpapi.ParseDate(fl.Field().String()) }
	v.Rule("date", func(fl validator.FieldLevel) bool {
		_, ok := date(fl)
		return ok
	}, "%[1]s debe ser una fecha válida con formato YYYY-MM-DD")
	v.Rule("notfuture", func(fl validator.FieldLevel) bool {
		d, ok := date(fl)
		return !ok || !d.After(time.Now())
	}, "%[1]s no puede ser una fecha futura")
	v.Rule("since1900", func(fl validator.FieldLevel) bool {
		d, ok := date(fl)
		return !ok || !d.Before(minBirth)
	}, "%[1]s no puede ser anterior a 1900-01-01")
	v.Rule("persona_id", func(fl validator.FieldLevel) bool {
		return fl.Field().Int() > 0
	}, "%[1]s es requerido y debe ser un número entero positivo")
	v.Rule("genero", func(fl validator.FieldLevel) bool {
		g := fl.Field().String()
		return g == "M" || g == "F" || g == "O"
	}, "%[1]s debe ser M, F u O")
}

// Normalize trims every given field and upper-cases genero, before
// validation (httpapi.Normalizer).
func (f *Fields) Normalize() {
	for _, p := range []*string{f.Nombres, f.PApellido, f.SApellido, f.FechaNacimiento, f.Genero} {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	if f.Genero != nil {
		*f.Genero = strings.ToUpper(*f.Genero)
	}
}

// Apply copies the given (already validated) fields onto p. An empty
// s_apellido clears it, as the frontend sends "" for "none".
func (f *Fields) Apply(p *Persona) {
	if f.Nombres != nil {
		p.Nombres = *f.Nombres
	}
	if f.PApellido != nil {
		p.PApellido = *f.PApellido
	}
	if f.SApellido != nil {
		if *f.SApellido == "" {
			p.SApellido = nil
		} else {
			v := *f.SApellido
			p.SApellido = &v
		}
	}
	if f.FechaNacimiento != nil {
		if d, ok := httpapi.ParseDate(*f.FechaNacimiento); ok {
			p.FechaNacimiento = d
		}
	}
	if f.Genero != nil {
		p.Genero = *f.Genero
	}
}
