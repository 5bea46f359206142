package usuario

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/role"
)

func sample() Usuario {
	t := time.Date(2024, 7, 10, 14, 22, 0, 0, time.UTC)
	s, d := "Condori", "Cajero estándar"
	return Usuario{
		ID: 4, Name: "maria.quispe", Email: "maria@kantuta.bo", Password: "$2a$10$secret", IDRole: 3, Estado: true,
		CreatedAt: t, UpdatedAt: t,
		Persona: persona.Persona{ID: 4, Nombres: "María Elena", PApellido: "Quispe", SApellido: &s,
			FechaNacimiento: time.Date(1995, 3, 22, 0, 0, 0, 0, time.UTC), Genero: "F", Estado: true, CreatedAt: t, UpdatedAt: t},
		Role: role.Role{ID: 3, Nombre: "user", Descripcion: &d},
	}
}

func TestUsuarioJSONIsSeed002Shape(t *testing.T) {
	b, err := json.Marshal(sample().ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":4,"name":"maria.quispe","email":"maria@kantuta.bo","estado":true,"id_user_create":null,"id_user_update":null,` +
		`"created_at":"2024-07-10T14:22:00.000Z","updated_at":"2024-07-10T14:22:00.000Z",` +
		`"persona":{"id":4,"nombres":"María Elena","p_apellido":"Quispe","s_apellido":"Condori","fecha_nacimiento":"1995-03-22",` +
		`"genero":"F","estado":true,"id_user_create":null,"id_user_update":null,"created_at":"2024-07-10T14:22:00.000Z",` +
		`"updated_at":"2024-07-10T14:22:00.000Z"},"role":{"id":3,"nombre":"user","descripcion":"Cajero estándar"}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	if strings.Contains(string(b), "secret") {
		t.Fatal("the password hash is serialised")
	}
}

func BenchmarkUsuarioJSON(b *testing.B) {
	u := sample()
	enc := json.NewEncoder(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(u.ToJSON()); err != nil {
			b.Fatal(err)
		}
	}
}
