package persona

import (
	"strings"
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// Fields are the persona fields of a request (POST /persona, PUT /persona,
// POST /usuario/register); nil means "not given".
type Fields struct {
	Nombres         *string
	PApellido       *string
	SApellido       *string
	FechaNacimiento *string
	Genero          *string
}

var minBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// Validate returns the messages for the given fields in order; required
// says whether nombres, p_apellido, fecha_nacimiento and genero must be
// present (creation) or only checked when given (update).
func (f *Fields) Validate(required bool, now time.Time) []string {
	var msgs []string
	trim := func(p *string) {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	trim(f.Nombres)
	trim(f.PApellido)
	trim(f.SApellido)
	trim(f.FechaNacimiento)
	trim(f.Genero)
	// text checks a string field; optional ones (s_apellido) may be empty.
	text := func(name string, v *string, max int, optional bool) {
		switch {
		case v == nil && (optional || !required):
		case v == nil || (*v == "" && !optional && required):
			msgs = append(msgs, name+" es requerido")
		case *v == "" && !optional:
			msgs = append(msgs, name+" no debe estar vacío")
		case len([]rune(*v)) > max:
			msgs = append(msgs, name+" debe tener como máximo "+itoa(max)+" caracteres")
		}
	}
	text("nombres", f.Nombres, 100, false)
	text("p_apellido", f.PApellido, 50, false)
	text("s_apellido", f.SApellido, 50, true)
	switch {
	case f.FechaNacimiento == nil || *f.FechaNacimiento == "":
		if required || f.FechaNacimiento != nil {
			msgs = append(msgs, "fecha_nacimiento es requerido")
		}
	default:
		d, ok := httpapi.ParseDate(*f.FechaNacimiento)
		switch {
		case !ok:
			msgs = append(msgs, "fecha_nacimiento debe ser una fecha válida con formato YYYY-MM-DD")
		case d.After(now):
			msgs = append(msgs, "fecha_nacimiento no puede ser una fecha futura")
		case d.Before(minBirth):
			msgs = append(msgs, "fecha_nacimiento no puede ser anterior a 1900-01-01")
		}
	}
	switch {
	case f.Genero == nil || *f.Genero == "":
		if required || f.Genero != nil {
			msgs = append(msgs, "genero es requerido")
		}
	default:
		g := strings.ToUpper(*f.Genero)
		if g != "M" && g != "F" && g != "O" {
			msgs = append(msgs, "genero debe ser M, F u O")
		} else {
			*f.Genero = g
		}
	}
	return msgs
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

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
