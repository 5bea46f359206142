package operador

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/role"
)

var plain httpapi.Renderer = httpapi.PlainRenderer{}

// Config is what the /users and /roles routes need.
type Config struct {
	Store    *Store
	Roles    *role.Store
	Hasher   *login.Hasher
	Sessions *login.Sessions // drops an operator's cached state after a change
}

// Handler serves /users and /roles in the Plain family (SPEC §4, §6).
type Handler struct{ Config }

// NewHandler builds the /users and /roles handler.
func NewHandler(cfg Config) *Handler { return &Handler{cfg} }

// Routes mounts /users and /roles on r.
func (h *Handler) Routes(r chi.Router) {
	anyToken := auth.Require(plain)
	admin := auth.Require(plain, role.Admin)
	r.Route("/users", func(r chi.Router) {
		r.With(anyToken).Get("/", httpapi.Handle(plain, h.list))
		r.With(anyToken).Get("/me", httpapi.Handle(plain, h.me))
		r.With(admin).Post("/", httpapi.Handle(plain, h.create))
		r.With(admin).Get("/{id}", httpapi.Handle(plain, h.get))
		r.With(admin).Put("/{id}", httpapi.Handle(plain, h.update))
		r.With(admin).Delete("/{id}", httpapi.Handle(plain, h.delete))
	})
	r.With(anyToken).Get("/roles", httpapi.Handle(plain, h.roles))
}

func badRequest(msg string) *httpapi.Error { return httpapi.NewError(http.StatusBadRequest, msg) }

var (
	errMalformedID = badRequest("Missing or malformed ID")
	errNameTaken   = &httpapi.Error{Status: http.StatusConflict, Body: map[string]string{"message": "User name already exists"}}
	errLastAdmin   = &httpapi.Error{Status: http.StatusConflict, Body: map[string]string{"message": "Cannot remove the last admin user"}}
	errNotOperator = &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden}
)

// storeError maps the store's errors of a write on operator id to their
// Plain answers; what prefixes a 400 (e.g. "Failed to add user").
func storeError(err error, id, what string) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return httpapi.NewError(http.StatusNotFound, "User with ID: "+id+" not found")
	case errors.Is(err, ErrNameTaken):
		return errNameTaken
	case errors.Is(err, ErrLastAdmin):
		return errLastAdmin
	case errors.Is(err, ErrUnknownRole):
		return badRequest(what)
	}
	return err
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	ops, err := h.Store.List(r.Context())
	if err != nil {
		return err
	}
	if len(ops) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	out := make([]User, len(ops))
	for i, o := range ops {
		out[i] = o.ToUser()
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// me answers the calling operator; a usuario token is authenticated but
// is not an operator: 403.
func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	p, _ := auth.PrincipalFrom(r.Context())
	if p.Kind != auth.KindOperador {
		return errNotOperator
	}
	o, err := h.Store.ByID(r.Context(), p.ID)
	if errors.Is(err, ErrNotFound) { // deleted between the token check and now
		return &httpapi.Error{Status: http.StatusUnauthorized, Code: httpapi.CodeTokenInvalid}
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"user": o.ToProfile(), "perms": []string{}})
	return nil
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	id, ok := CanonicalID(chi.URLParam(r, "id"))
	if !ok {
		return errMalformedID
	}
	o, err := h.Store.ByID(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return httpapi.NewError(http.StatusNotFound, "User not found")
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, o.ToUser())
	return nil
}

func (h *Handler) roles(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.Roles.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]RoleJSON, len(roles))
	for i, ro := range roles {
		out[i] = RoleJSON{ID: ro.UUID, Role: ro.Nombre, IsAdmin: ro.IsAdmin()}
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// input is a /users body read leniently, as the Ambrosia server did:
// unknown fields (refreshToken, id, isAdmin…) are ignored and JSON null is
// the same as absent.
type input struct {
	Name   *string `json:"name"`
	Pin    *string `json:"pin"`
	Role   *string `json:"role"`
	RoleID *string `json:"roleId"`
	Email  *string `json:"email"`
	Phone  *string `json:"phone"`
}

func (input) Lenient() {}

// newValidator is the /users bodies' validator for one write (what is
// "Failed to add user" or "Failed to update user"): a field of the wrong
// JSON type is worded "<what>, <field> must be a string".
func newValidator(what string) *httpapi.Validator {
	v := httpapi.NewValidator()
	for _, f := range []string{"name", "pin", "role", "roleId", "email", "phone"} {
		v.Message(f+"."+httpapi.RuleType, fmt.Sprintf("%s, %s must be a string", what, f))
	}
	return v
}

const (
	whatAdd    = "Failed to add user"
	whatUpdate = "Failed to update user"
)

var validators = map[string]*httpapi.Validator{whatAdd: newValidator(whatAdd), whatUpdate: newValidator(whatUpdate)}

// readInput binds the body through the one decode path. Every field's
// rules are checked afterwards, in the Ambrosia order (checkNew,
// checkUpdate), so that the first failing one is the answer: a NUL is left
// to their "contains invalid characters" and a body unusable as a whole is
// worded in English.
func readInput(r *http.Request, what string) (input, error) {
	var in input
	err := validators[what].Bind(r, &in)
	if err == nil {
		return in, nil
	}
	e := httpapi.AsError(err)
	switch e.Code {
	case httpapi.CodeMalformed:
		if e.Message == "" && e.Cause != nil { // the body could not be read
			return input{}, badRequest("Invalid request body")
		}
		return input{}, &httpapi.Error{Status: http.StatusBadRequest, Code: httpapi.CodeMalformed}
	case httpapi.CodeValidation:
		var problems []httpapi.Problem
		for _, p := range e.Problems {
			if p.Rule != httpapi.RuleNUL {
				problems = append(problems, p)
			}
		}
		if len(problems) > 0 {
			return input{}, httpapi.Invalid(problems...)
		}
		return in, nil
	}
	return input{}, err
}

// checkPin applies the PIN rule (4 to 12 digits).
func checkPin(pin, what string) error {
	switch {
	case utf8.RuneCountInString(pin) < MinPinLen:
		return badRequest(what + ", pin must be at least 4 characters long")
	case utf8.RuneCountInString(pin) > MaxPinLen:
		return badRequest(what + ", pin must be at most 12 characters long")
	case !ValidPin(pin):
		return badRequest(what + ", pin must contain only digits")
	}
	return nil
}

// checkText refuses control characters (PostgreSQL rejects NUL) and
// values over max characters.
func checkText(v, field string, max int, what string) error {
	if utf8.RuneCountInString(v) > max {
		return badRequest(fmt.Sprintf("%s, %s must be at most %d characters long", what, field, max))
	}
	if httpapi.HasControl(v) {
		return badRequest(fmt.Sprintf("%s, %s contains invalid characters", what, field))
	}
	return nil
}

// checkContact validates and trims email and phone in place; "" stays "".
func checkContact(in *input, what string) error {
	if in.Email != nil {
		e := strings.TrimSpace(*in.Email)
		in.Email = &e
		if err := checkText(e, "email", MaxEmailLen, what); err != nil {
			return err
		}
		if e != "" {
			if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
				return badRequest(what + ", email is not valid")
			}
		}
	}
	if in.Phone != nil {
		p := strings.TrimSpace(*in.Phone)
		in.Phone = &p
		if err := checkText(p, "phone", MaxPhoneLen, what); err != nil {
			return err
		}
		if strings.Trim(p, "0123456789+-() ") != "" {
			return badRequest(what + ", phone is not valid")
		}
	}
	return nil
}

// roleRef is the role given as role or roleId (both must agree).
func roleRef(in input, what string) (*string, error) {
	switch {
	case in.Role != nil && in.RoleID != nil && !strings.EqualFold(strings.TrimSpace(*in.Role), strings.TrimSpace(*in.RoleID)):
		return nil, badRequest(what + ", role and roleId differ")
	case in.Role != nil:
		return in.Role, nil
	}
	return in.RoleID, nil
}

// resolveRole finds a role by uuid; unknown or malformed is the bare
// what ("Failed to add user"), as the Ambrosia server answered.
func (h *Handler) resolveRole(ctx context.Context, ref, what string) (int, error) {
	id, ok := CanonicalID(strings.TrimSpace(ref))
	if !ok {
		return 0, badRequest(what)
	}
	ro, err := h.Roles.ByUUID(ctx, id)
	if errors.Is(err, role.ErrNotFound) {
		return 0, badRequest(what)
	}
	if err != nil {
		return 0, err
	}
	return ro.ID, nil
}

func nonEmpty(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// checkNew validates the body of POST /users (trimming email and phone in
// place): the trimmed name and the role reference, or the 400 to answer.
func checkNew(in *input, what string) (name string, ref *string, err error) {
	if in.Name == nil || in.Pin == nil || strings.TrimSpace(*in.Name) == "" || strings.TrimSpace(*in.Pin) == "" {
		return "", nil, badRequest(what + ", user name and/or pin cannot be null or blank")
	}
	name = strings.TrimSpace(*in.Name)
	err = checkPin(*in.Pin, what)
	if err == nil {
		err = checkText(name, "user name", MaxNameLen, what)
	}
	if err == nil {
		err = checkContact(in, what)
	}
	ref, rerr := roleRef(*in, what)
	if err == nil {
		err = rerr
	}
	if err != nil {
		return "", nil, err
	}
	return name, ref, nil
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	const what = whatAdd
	in, err := readInput(r, what)
	if err != nil {
		return err
	}
	name, ref, err := checkNew(&in, what)
	if err != nil {
		return err
	}
	roleID := role.User // a cashier unless told otherwise, like usuario.id_role
	if ref != nil {
		if roleID, err = h.resolveRole(r.Context(), *ref, what); err != nil {
			return err
		}
	}
	hash, err := h.Hasher.Hash(r.Context(), *in.Pin)
	if err != nil {
		return err
	}
	o, err := h.Store.Create(r.Context(), NewOperador{
		Name: name, PinHash: hash, IDRole: roleID, Email: nonEmpty(in.Email), Phone: nonEmpty(in.Phone),
	})
	if err != nil {
		return storeError(err, "", what)
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"id": o.ID, "message": "User added successfully"})
	return nil
}

// checkUpdate validates the body of PUT /users/{id} (a masked PIN counts
// as absent; email and phone are trimmed in place): the name, email and
// phone changes and the role reference, or the 400 to answer.
func checkUpdate(in *input, what string) (c Changes, ref *string, err error) {
	if in.Pin != nil && *in.Pin == Masked { // an object from GET /users sent back
		in.Pin = nil
	}
	if ref, err = roleRef(*in, what); err != nil {
		return c, nil, err
	}
	if in.Name == nil && in.Pin == nil && ref == nil && in.Email == nil && in.Phone == nil {
		return c, nil, badRequest("No fields provided to update")
	}
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" {
			return c, nil, badRequest(what + ", user name cannot be blank")
		}
		if err := checkText(name, "user name", MaxNameLen, what); err != nil {
			return c, nil, err
		}
		c.Name = &name
	}
	if in.Pin != nil {
		if err := checkPin(*in.Pin, what); err != nil {
			return c, nil, err
		}
	}
	if err := checkContact(in, what); err != nil {
		return c, nil, err
	}
	c.Email, c.Phone = in.Email, in.Phone
	return c, ref, nil
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	const what = whatUpdate
	id, ok := CanonicalID(chi.URLParam(r, "id"))
	if !ok {
		return errMalformedID
	}
	in, err := readInput(r, what)
	if err != nil {
		return err
	}
	c, ref, err := checkUpdate(&in, what)
	if err != nil {
		return err
	}
	if ref != nil {
		rid, err := h.resolveRole(r.Context(), *ref, what)
		if err != nil {
			return err
		}
		c.IDRole = &rid
	}
	if in.Pin != nil {
		hash, err := h.Hasher.Hash(r.Context(), *in.Pin)
		if err != nil {
			return err
		}
		c.PinHash = &hash
	}
	_, err = h.Store.Update(r.Context(), id, c)
	h.Sessions.Forget(auth.KindOperador, id)
	if err != nil {
		return storeError(err, id, what)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"id": id, "message": "User updated successfully"})
	return nil
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) error {
	id, ok := CanonicalID(chi.URLParam(r, "id"))
	if !ok {
		return errMalformedID
	}
	err := h.Store.Delete(r.Context(), id)
	h.Sessions.Forget(auth.KindOperador, id)
	if err != nil {
		return storeError(err, id, "")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
