package inventario

// Notification contacts live here rather than in a package of their own:
// the only thing they are used for is this package's low-stock alerts
// (recibe_cierre_caja is stored only, SPEC §12.3), and they share the
// body binding and the guards of the other inventario routes.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

// Contacto is a row of notificacion_contacto (SPEC §12.2).
type Contacto struct {
	ID               string       `json:"id"`
	Nombre           string       `json:"nombre"`
	CodigoPais       string       `json:"codigo_pais"`
	Telefono         string       `json:"telefono"`
	Email            *string      `json:"email"`
	RecibeStockBajo  bool         `json:"recibe_stock_bajo"`
	RecibeCierreCaja bool         `json:"recibe_cierre_caja"`
	Activo           bool         `json:"activo"`
	IDUserCreate     *int64       `json:"id_user_create"`
	IDUserUpdate     *int64       `json:"id_user_update"`
	CreatedAt        httpapi.Time `json:"created_at"`
	UpdatedAt        httpapi.Time `json:"updated_at"`
}

const contactoCols = "id, nombre, codigo_pais, telefono, email, recibe_stock_bajo, recibe_cierre_caja, activo, id_user_create, id_user_update, created_at, updated_at"

func scanContacto(row scanner) (Contacto, error) {
	var c Contacto
	var created, updated time.Time
	err := row.Scan(&c.ID, &c.Nombre, &c.CodigoPais, &c.Telefono, &c.Email, &c.RecibeStockBajo, &c.RecibeCierreCaja, &c.Activo,
		&c.IDUserCreate, &c.IDUserUpdate, &created, &updated)
	c.CreatedAt, c.UpdatedAt = utc(created), utc(updated)
	return c, err
}

// ContactRecipients answers who receives low-stock alerts: active
// contacts with recibe_stock_bajo and an email, or else every active admin
// usuario (SPEC §12.3).
type ContactRecipients struct{}

// StockRecipients implements Recipients inside the alerting transaction.
func (ContactRecipients) StockRecipients(tx *gorm.DB) ([]Recipient, error) {
	var out []Recipient
	rows, err := tx.Raw("SELECT email, nombre FROM notificacion_contacto WHERE activo AND recibe_stock_bajo AND email IS NOT NULL AND email <> '' ORDER BY created_at, id").Rows()
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Email, &r.Name); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(out) > 0 {
		return out, nil
	}
	rows, err = tx.Raw("SELECT email, name FROM usuario WHERE id_role = ? AND estado ORDER BY id", role.Admin).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Email, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ContactosHandler serves /notificaciones/contactos (admin only).
type ContactosHandler struct {
	db  *database.DB
	val *httpapi.Validator
}

var (
	digits1to5  = regexp.MustCompile(`^[0-9]{1,5}$`)
	digits6to15 = regexp.MustCompile(`^[0-9]{6,15}$`)
)

// NewContactosHandler builds the handler; it registers the codigo_pais
// and telefono rules on val.
func NewContactosHandler(db *database.DB, val *httpapi.Validator) *ContactosHandler {
	val.Rule("codigopais", func(fl validator.FieldLevel) bool { return digits1to5.MatchString(fl.Field().String()) },
		"%[1]s debe tener entre 1 y 5 dígitos")
	val.Rule("telefono", func(fl validator.FieldLevel) bool { return digits6to15.MatchString(fl.Field().String()) },
		"%[1]s debe tener entre 6 y 15 dígitos")
	return &ContactosHandler{db: db, val: val}
}

// Routes mounts the contact routes; POST …/seed is not served (the Nest
// seeder wrote real personal phone numbers, SPEC §12.4 #13).
func (h *ContactosHandler) Routes(r chi.Router) {
	admin := auth.RequireUsuario(rd, role.Admin)
	r.With(admin).Get("/notificaciones/contactos", httpapi.Handle(rd, h.list))
	r.With(admin).Get("/notificaciones/contactos/activos-stock", httpapi.Handle(rd, h.listStock))
	r.With(admin).Get("/notificaciones/contactos/{id}", httpapi.Handle(rd, h.get))
	r.With(admin).Post("/notificaciones/contactos", httpapi.Handle(rd, h.create))
	r.With(admin).Patch("/notificaciones/contactos/{id}", httpapi.Handle(rd, h.update))
	r.With(admin).Delete("/notificaciones/contactos/{id}", httpapi.Handle(rd, h.delete))
	// Without this, chi would answer 405 (the path matches {id}).
	r.Post("/notificaciones/contactos/seed", httpapi.Handle(rd, func(w http.ResponseWriter, r *http.Request) error {
		return &httpapi.Error{Status: http.StatusNotFound, Code: httpapi.CodeNotFound, Message: "Cannot POST /notificaciones/contactos/seed"}
	}))
}

type contactoCreate struct {
	inOrder
	Nombre           *string `json:"nombre" validate:"required,notnull,notblank,max=100"`
	CodigoPais       *string `json:"codigo_pais" validate:"omitempty,codigopais"`
	Telefono         *string `json:"telefono" validate:"required,notnull,telefono"`
	Email            *string `json:"email" validate:"omitempty,email,max=150"`
	RecibeStockBajo  *bool   `json:"recibe_stock_bajo" validate:"notnull"`
	RecibeCierreCaja *bool   `json:"recibe_cierre_caja" validate:"notnull"`
	Activo           *bool   `json:"activo" validate:"notnull"`
	IDUserCreate     *int64  `json:"id_user_create"`
	IDUserUpdate     *int64  `json:"id_user_update"`
}

func (b *contactoCreate) Normalize() {
	trimPtr(b.Nombre)
	trimPtr(b.CodigoPais)
	trimPtr(b.Telefono)
	trimPtr(b.Email)
	if b.Email != nil && *b.Email == "" {
		b.Email = nil
	}
}

type contactoPatch struct {
	inOrder
	httpapi.Sent
	Nombre           *string `json:"nombre" validate:"omitempty,notnull,notblank,max=100"`
	CodigoPais       *string `json:"codigo_pais" validate:"omitempty,notnull,codigopais"`
	Telefono         *string `json:"telefono" validate:"omitempty,notnull,telefono"`
	Email            *string `json:"email" validate:"omitempty,email,max=150"`
	RecibeStockBajo  *bool   `json:"recibe_stock_bajo" validate:"notnull"`
	RecibeCierreCaja *bool   `json:"recibe_cierre_caja" validate:"notnull"`
	Activo           *bool   `json:"activo" validate:"notnull"`
	IDUserCreate     *int64  `json:"id_user_create"`
	IDUserUpdate     *int64  `json:"id_user_update"`
}

func (b *contactoPatch) Normalize() {
	trimPtr(b.Nombre)
	trimPtr(b.CodigoPais)
	trimPtr(b.Telefono)
	trimPtr(b.Email)
	if b.Email != nil && *b.Email == "" {
		b.Email = nil
	}
}

const msgContactoDuplicado = "Ya existe un contacto con ese teléfono"

func contactoNotFound(id string) error {
	return httpapi.NewError(http.StatusNotFound, "Contacto con id \""+id+"\" no encontrado.")
}

// contactoID reads the UUID path parameter.
func contactoID(r *http.Request) (string, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return "", httpapi.NewError(http.StatusBadRequest, "id debe ser un UUID válido")
	}
	return id.String(), nil
}

func (h *ContactosHandler) each(ctx context.Context, where string) ([]Contacto, error) {
	rows, err := h.db.SQL.QueryContext(ctx, "SELECT "+contactoCols+" FROM notificacion_contacto"+where+" ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list contactos: %w", err)
	}
	out := []Contacto{}
	err = database.EachRow(rows, func(r *sql.Rows) (Contacto, error) { return scanContacto(r) }, func(c Contacto) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

func (h *ContactosHandler) list(w http.ResponseWriter, r *http.Request) error {
	out, err := h.each(r.Context(), "")
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *ContactosHandler) listStock(w http.ResponseWriter, r *http.Request) error {
	out, err := h.each(r.Context(), " WHERE activo AND recibe_stock_bajo")
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *ContactosHandler) byID(ctx context.Context, q querier, id string) (Contacto, error) {
	c, err := scanContacto(q.QueryRowContext(ctx, "SELECT "+contactoCols+" FROM notificacion_contacto WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, contactoNotFound(id)
	}
	return c, err
}

func (h *ContactosHandler) get(w http.ResponseWriter, r *http.Request) error {
	id, err := contactoID(r)
	if err != nil {
		return err
	}
	c, err := h.byID(r.Context(), h.db.SQL, id)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, c)
	return nil
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func (h *ContactosHandler) create(w http.ResponseWriter, r *http.Request) error {
	var body contactoCreate
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	pais := "591"
	if body.CodigoPais != nil && *body.CodigoPais != "" {
		pais = *body.CodigoPais
	}
	id := uuid.NewString()
	ctx := r.Context()
	var out Contacto
	// The list is in created_at order and the id is random, so the instant is
	// bound at microseconds: SQLite's own clock has only milliseconds and two
	// contacts created in the same one would come back in either order.
	now := h.db.Time(database.Now())
	err := h.db.Tx(ctx, func(tx *gorm.DB) error {
		err := tx.Exec("INSERT INTO notificacion_contacto (id, nombre, codigo_pais, telefono, email, recibe_stock_bajo, recibe_cierre_caja, activo, "+
			"id_user_create, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, *body.Nombre, pais, *body.Telefono, body.Email, boolOr(body.RecibeStockBajo, true), boolOr(body.RecibeCierreCaja, false),
			boolOr(body.Activo, true), nullID(actor(r)), now, now).Error
		if err != nil {
			return err
		}
		out, err = h.byID(ctx, txQuerier(tx), id)
		return err
	})
	if database.IsUniqueViolation(err) {
		return httpapi.NewError(http.StatusConflict, msgContactoDuplicado)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *ContactosHandler) update(w http.ResponseWriter, r *http.Request) error {
	id, err := contactoID(r)
	if err != nil {
		return err
	}
	var body contactoPatch
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	ctx := r.Context()
	var out Contacto
	err = h.db.Tx(ctx, func(tx *gorm.DB) error {
		if _, err := h.byID(ctx, txQuerier(tx), id); err != nil {
			return err
		}
		var sets []string
		var args []any
		set := func(col string, v any) {
			sets = append(sets, col+" = ?")
			args = append(args, v)
		}
		if body.Nombre != nil {
			set("nombre", *body.Nombre)
		}
		if body.CodigoPais != nil {
			set("codigo_pais", *body.CodigoPais)
		}
		if body.Telefono != nil {
			set("telefono", *body.Telefono)
		}
		if body.Has("email") {
			set("email", body.Email)
		}
		if body.RecibeStockBajo != nil {
			set("recibe_stock_bajo", *body.RecibeStockBajo)
		}
		if body.RecibeCierreCaja != nil {
			set("recibe_cierre_caja", *body.RecibeCierreCaja)
		}
		if body.Activo != nil {
			set("activo", *body.Activo)
		}
		if len(sets) > 0 {
			set("id_user_update", nullID(actor(r)))
			args = append(args, id)
			if err := tx.Exec("UPDATE notificacion_contacto SET "+strings.Join(sets, ", ")+", updated_at = "+h.db.NowSQL()+" WHERE id = ?", args...).Error; err != nil {
				return err
			}
		}
		out, err = h.byID(ctx, txQuerier(tx), id)
		return err
	})
	if database.IsUniqueViolation(err) {
		return httpapi.NewError(http.StatusConflict, msgContactoDuplicado)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *ContactosHandler) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := contactoID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var c Contacto
	err = h.db.Tx(ctx, func(tx *gorm.DB) error {
		if c, err = h.byID(ctx, txQuerier(tx), id); err != nil {
			return err
		}
		return tx.Exec("DELETE FROM notificacion_contacto WHERE id = ?", id).Error
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"message": "Contacto \"" + c.Nombre + "\" eliminado correctamente."})
	return nil
}
