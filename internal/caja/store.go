package caja

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
)

// Store reads and writes cajas, sesiones and movimientos.
type Store struct {
	db     *database.DB
	drawer *Drawer
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db, drawer: NewDrawer(db)} }

func (s *Store) conn(ctx context.Context, tx *gorm.DB) *gorm.DB {
	if tx != nil {
		return tx
	}
	return s.db.WithContext(ctx)
}

// Cajas lists the active cajas, id ascending.
func (s *Store) Cajas(ctx context.Context) ([]Caja, error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT " + cajaCols + " FROM cajas WHERE estado ORDER BY id").Rows()
	return scanAll(rows, err, scanCaja)
}

// Caja reads an active caja; found is false when there is none.
func (s *Store) Caja(ctx context.Context, tx *gorm.DB, id int64) (Caja, bool, error) {
	c, err := scanCaja(s.conn(ctx, tx).Raw("SELECT "+cajaCols+" FROM cajas WHERE id = ? AND estado", id).Row())
	if errors.Is(err, errNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// SesionesOf lists the active sessions of a caja, newest first.
func (s *Store) SesionesOf(ctx context.Context, cajaID int64) ([]Sesion, error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT "+sesionCols+" FROM sesiones_caja WHERE id_caja = ? AND estado ORDER BY id DESC", cajaID).Rows()
	return scanAll(rows, err, scanSesion)
}

// Sesion reads a session by id (active or not); found is false when none.
func (s *Store) Sesion(ctx context.Context, tx *gorm.DB, id int64) (Sesion, bool, error) {
	v, err := scanSesion(s.conn(ctx, tx).Raw("SELECT "+sesionCols+" FROM sesiones_caja WHERE id = ?", id).Row())
	if errors.Is(err, errNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}

// OpenSesionOf reads the usuario's open active session, if any.
func (s *Store) OpenSesionOf(ctx context.Context, tx *gorm.DB, usuarioID int64) (Sesion, bool, error) {
	v, err := scanSesion(s.conn(ctx, tx).Raw("SELECT "+sesionCols+
		" FROM sesiones_caja WHERE id_usuario = ? AND estado_sesion = 'ABIERTA' AND estado", usuarioID).Row())
	if errors.Is(err, errNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}

// withCaja embeds the session's caja (abrir and sesion-activa answer it).
func (s *Store) withCaja(ctx context.Context, tx *gorm.DB, v Sesion) (Sesion, error) {
	c, err := scanCaja(s.conn(ctx, tx).Raw("SELECT "+cajaCols+" FROM cajas WHERE id = ?", v.IDCaja).Row())
	if err != nil {
		return v, err
	}
	v.Caja = &c
	return v, nil
}

// ExpectedCash is the session's expected cash (SPEC §13.3): its base plus
// its counted EFECTIVO ventas plus ingresos minus egresos, from the rows.
func (s *Store) ExpectedCash(ctx context.Context, tx *gorm.DB, sesionID int64) (money.Cents, error) {
	var c money.Cents
	err := s.conn(ctx, tx).Raw(`SELECT s.monto_inicial
		+ COALESCE((SELECT SUM(v.total) FROM venta v WHERE v.id_sesion_caja = s.id AND v.estado
			AND v.metodo_pago = 'EFECTIVO' AND v.estado_venta <> 'ANULADA'), 0)
		+ COALESCE((SELECT SUM(CASE WHEN m.tipo = 'INGRESO' THEN m.monto ELSE -m.monto END)
			FROM movimientos_caja m WHERE m.id_sesion_caja = s.id AND m.estado), 0)
		FROM sesiones_caja s WHERE s.id = ?`, sesionID).Row().Scan(&c)
	return c, err
}

// Movimiento reads one movimiento.
func (s *Store) Movimiento(ctx context.Context, tx *gorm.DB, id int64) (Movimiento, error) {
	return scanMovimiento(s.conn(ctx, tx).Raw("SELECT "+movimientoCols+" FROM movimientos_caja WHERE id = ?", id).Row())
}

// UsuarioActive reports whether an active usuario has this id.
func (s *Store) UsuarioActive(ctx context.Context, id int64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Raw("SELECT COUNT(*) FROM usuario WHERE id = ? AND estado", id).Row().Scan(&n)
	return n > 0, err
}
