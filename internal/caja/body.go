package caja

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

type cajaCreateBody struct {
	Nombre       *string       `json:"nombre" validate:"required,tmin=3,tmax=100"`
	Especialidad *string       `json:"especialidad" validate:"required,oneof=SOLO_VENTAS SOLO_AGENTES MIXTA"`
	Saldo        *money.Amount `json:"saldo" validate:"omitempty,money,mmin=0,mmax=9999999999.99"`
	IDUserCreate *int64        `json:"id_user_create"`
	IDUserUpdate *int64        `json:"id_user_update"`
}

type cajaUpdateBody struct {
	Nombre       *string       `json:"nombre" validate:"omitnil,tmin=3,tmax=100"`
	Especialidad *string       `json:"especialidad" validate:"omitnil,oneof=SOLO_VENTAS SOLO_AGENTES MIXTA"`
	Saldo        *money.Amount `json:"saldo" validate:"omitnil,money,mmin=0,mmax=9999999999.99"`
	Estado       *bool         `json:"estado"`
	IDUserCreate *int64        `json:"id_user_create"`
	IDUserUpdate *int64        `json:"id_user_update"`
}

type abrirBody struct {
	IDCaja       *int64        `json:"id_caja" validate:"required,gt=0"`
	MontoInicial *money.Amount `json:"monto_inicial" validate:"omitnil,money,mmin=0,mmax=9999999999.99"`
	IDUsuario    *int64        `json:"id_usuario" validate:"omitnil,gt=0"`
	IDUserCreate *int64        `json:"id_user_create"`
	IDUserUpdate *int64        `json:"id_user_update"`
}

type cerrarBody struct {
	MontoFinalReal *money.Amount `json:"monto_final_real" validate:"required,money,mmin=0,mmax=9999999999.99"`
	IDUserUpdate   *int64        `json:"id_user_update"`
	IDUserCreate   *int64        `json:"id_user_create"`
}

type movimientoBody struct {
	Tipo         *string       `json:"tipo" validate:"required,oneof=INGRESO EGRESO"`
	Monto        *money.Amount `json:"monto" validate:"required,money,mmin=0.10,mmax=9999999999.99"`
	Motivo       *string       `json:"motivo" validate:"required,notblank,tmax=255"`
	IDSesionCaja *int64        `json:"id_sesion_caja" validate:"required,gt=0"`
	IDUserCreate *int64        `json:"id_user_create"`
	IDUserUpdate *int64        `json:"id_user_update"`
}

// registerRules adds caja's rules and texts to the shared validator:
// tmin/tmax count the characters of the trimmed text (names are trimmed
// before they are stored), and the enum texts list the values with spaces
// as SPEC §13.2 words them.
func registerRules(v *httpapi.Validator) {
	trimmed := func(fl validator.FieldLevel) int {
		return utf8.RuneCountInString(strings.TrimSpace(fl.Field().String()))
	}
	atoi := func(p string) int { n, _ := strconv.Atoi(p); return n }
	v.Rule("tmin", func(fl validator.FieldLevel) bool { return trimmed(fl) >= atoi(fl.Param()) },
		"%[1]s debe tener al menos %[2]s caracteres")
	v.Rule("tmax", func(fl validator.FieldLevel) bool { return trimmed(fl) <= atoi(fl.Param()) },
		"%[1]s debe tener como máximo %[2]s caracteres")
	v.Message("especialidad.oneof", "especialidad debe ser uno de: SOLO_VENTAS SOLO_AGENTES MIXTA")
	v.Message("tipo.oneof", "tipo debe ser uno de: INGRESO EGRESO")
	v.Message("metodo_pago.oneof", "metodo_pago debe ser uno de: EFECTIVO QR TRANSFERENCIA")
	v.Message("metodo_pago.required", "metodo_pago debe ser uno de: EFECTIVO QR TRANSFERENCIA")
	v.Message("estado_venta.oneof", "estado_venta solo puede cambiarse a ANULADA")
	v.Rule("ymd", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		_, ok := httpapi.ParseDate(s)
		return ok && len(s) == 10
	}, "")
	v.Message("fechaInicio.required", "La fecha de inicio es requerida en el body")
	v.Message("fechaInicio.ymd", "La fecha de inicio debe ser una fecha válida (YYYY-MM-DD)")
	v.Message("fechaFin.required", "La fecha de fin es requerida en el body")
	v.Message("fechaFin.ymd", "La fecha de fin debe ser una fecha válida (YYYY-MM-DD)")
}

// cents converts an amount that passed the money rules.
func cents(a *money.Amount) money.Cents {
	if a == nil {
		return 0
	}
	c, _ := a.Cents()
	return c
}
