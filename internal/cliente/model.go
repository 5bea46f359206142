// Package cliente is the customers API of the Ecuadorian POS clients
// (seed 004): customers, the cities they belong to, and a fast,
// accent-insensitive name search.
package cliente

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// Estados of a customer.
const (
	EstadoActivo     = "ACT"
	EstadoInactivo   = "INA" // soft-deleted
	EstadoSuspendido = "SUS"
)

// Cliente is a row of the cliente table.
type Cliente struct {
	Codigo     string     `gorm:"column:cli_codigo;primaryKey"`
	CtCodigo   string     `gorm:"column:ct_codigo"`
	Nombre     string     `gorm:"column:cli_nombre"`
	NombreNorm string     `gorm:"column:cli_nombre_norm"`
	RucCed     string     `gorm:"column:cli_ruc_ced"`
	Telefono   string     `gorm:"column:cli_telefono"`
	Mail       string     `gorm:"column:cli_mail"`
	Direccion  *string    `gorm:"column:cli_direccion"`
	Celular    *string    `gorm:"column:cli_celular"`
	Estado     string     `gorm:"column:cli_estado"`
	FechaAlta  time.Time  `gorm:"column:cli_fecha_alta"`
	FechaBaja  *time.Time `gorm:"column:cli_fecha_baja"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (Cliente) TableName() string { return "cliente" }

// JSON is a Cliente on the wire (SPEC §8): absent values are null.
type JSON struct {
	Codigo    string        `json:"cli_codigo"`
	CtCodigo  string        `json:"ct_codigo"`
	Nombre    string        `json:"cli_nombre"`
	RucCed    string        `json:"cli_ruc_ced"`
	Telefono  string        `json:"cli_telefono"`
	Mail      string        `json:"cli_mail"`
	Direccion *string       `json:"cli_direccion"`
	Celular   *string       `json:"cli_celular"`
	Estado    string        `json:"cli_estado"`
	FechaAlta httpapi.Time  `json:"cli_fecha_alta"`
	FechaBaja *httpapi.Time `json:"cli_fecha_baja"`
}

// ToJSON renders c for responses.
func (c Cliente) ToJSON() JSON {
	return JSON{
		Codigo: c.Codigo, CtCodigo: c.CtCodigo, Nombre: c.Nombre, RucCed: c.RucCed,
		Telefono: c.Telefono, Mail: c.Mail, Direccion: c.Direccion, Celular: c.Celular,
		Estado: c.Estado, FechaAlta: httpapi.Time(c.FechaAlta), FechaBaja: httpapi.TimePtr(c.FechaBaja),
	}
}

// Option is a customer as /type lists it, for selectors.
type Option struct {
	Codigo string `json:"cli_codigo" gorm:"column:cli_codigo"`
	Nombre string `json:"cli_nombre" gorm:"column:cli_nombre"`
}

// Ciudad is a row of the ciudad table, also its wire shape.
type Ciudad struct {
	CtCodigo  string `json:"ct_codigo" gorm:"column:ct_codigo;primaryKey"`
	Nombre    string `json:"nombre"`
	Provincia string `json:"provincia"`
	Pais      string `json:"pais"`
}

func (Ciudad) TableName() string { return "ciudad" }

// FormatCodigo turns a sequence number into a code: 1 → CLI001, 1234 → CLI1234.
func FormatCodigo(n int64) string { return fmt.Sprintf("CLI%03d", n) }

// ValidCodigo reports whether s has the shape of a code we generate, so
// that other paths answer 404 without a query.
func ValidCodigo(s string) bool {
	rest, ok := strings.CutPrefix(s, "CLI")
	if !ok || len(rest) < 3 || len(rest) > 17 || !isDigits(rest) {
		return false
	}
	_, err := strconv.ParseInt(rest, 10, 64)
	return err == nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
