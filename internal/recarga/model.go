// Package recarga sells mobile top-ups (SPEC §14.5): the shop's balance
// with each operator (Tigo, Entel, Viva), top-ups sold to customers (cash
// into the drawer, operator balance out) and balance injections bought from
// operators (cash out of the drawer, balance plus commission in). Each
// write is one transaction in the global lock order sesiones_caja →
// operadoras_saldos → cajas; balances change only by conditional updates.
package recarga

import (
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
)

// Operadoras are the operators served, in seed (id) order.
var Operadoras = []string{"Tigo", "Entel", "Viva"}

// Movement origins and texts of the drawer (Nest's motivos).
const (
	OrigenRecarga   = "RECARGA"
	OrigenInyeccion = "INYECCION"
)

// Drawer is the cash drawer of caja, seen from here: the caller has locked
// the session; these change the session's caja last in the lock order and
// record the movimiento, returning its id.
type Drawer interface {
	Deposit(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error)
	// Withdraw answers *InsufficientCash, changing nothing, when the caja
	// holds less than monto.
	Withdraw(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error)
}

// InsufficientCash is a withdrawal the caja cannot cover; Saldo is what it holds.
type InsufficientCash struct{ Saldo money.Cents }

func (e *InsufficientCash) Error() string { return "recarga: caja saldo " + e.Saldo.String() }

// Audit is §3's audit columns.
type Audit struct {
	Estado       bool               `json:"estado"`
	IDUserCreate *int64             `json:"id_user_create"`
	IDUserUpdate *int64             `json:"id_user_update"`
	CreatedAt    database.Timestamp `json:"-"`
	UpdatedAt    database.Timestamp `json:"-"`
}

const auditCols = "estado, id_user_create, id_user_update, created_at, updated_at"

func (a *Audit) dest() []any {
	return []any{&a.Estado, &a.IDUserCreate, &a.IDUserUpdate, &a.CreatedAt, &a.UpdatedAt}
}

// Operadora is a row of operadoras_saldos. ComisionPorcentaje is held in
// hundredths of a percent, which is what money.Cents is: "12.50".
type Operadora struct {
	ID                 int64
	NombreOperadora    string
	SaldoActual        money.Cents
	ComisionPorcentaje money.Cents
	Audit
}

// Recarga is a top-up sold to a customer.
type Recarga struct {
	ID               int64
	Operadora        string
	NumeroCliente    string
	Monto            money.Cents
	FechaHora        database.Timestamp
	IDCajaSesion     int64
	IDMovimientoCaja int64
	Audit
	Sesion SesionRef
}

// Inyeccion is balance bought from an operator with cash of the drawer.
type Inyeccion struct {
	ID               int64
	OperadoraDestino string
	Monto            money.Cents
	Comision         money.Cents
	MontoAcreditado  money.Cents
	FechaHora        database.Timestamp
	IDCajaOrigen     int64
	IDMovimientoCaja int64
	Audit
	Sesion SesionRef
}

// SesionRef is the session a history row embeds.
type SesionRef struct {
	ID           int64  `json:"id"`
	IDCaja       int64  `json:"id_caja"`
	IDUsuario    int64  `json:"id_usuario"`
	EstadoSesion string `json:"estado_sesion"`
}
