package login

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

// Password-reset answers (SPEC §5).
const (
	msgCodeSent        = "Código de verificación enviado al correo"
	msgCodeOK          = "Código de verificación correcto"
	msgCodeExpired     = "El código ha expirado o no existe"
	msgCodeInvalid     = "Código de verificación inválido"
	msgTokenInvalid    = "El token de restablecimiento es inválido o ha expirado"
	msgPasswordChanged = "Contraseña actualizada correctamente"
	msgWrongCurrent    = "La contraseña actual es incorrecta"
	msgNoSuchUsuario   = "No existen datos de usuario"
)

// ResetCodeAlphabet is what codes are made of: digits and capital letters
// without look-alikes (0/O, 1/I/L), 31^6 ≈ 887 million codes. Codes are
// compared case-insensitively.
const ResetCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// ResetMailer queues the reset mails (mail.System implements it); with tx
// the mail is queued only if tx commits.
type ResetMailer interface {
	ResetCode(ctx context.Context, tx *gorm.DB, to, name, code string, ttl time.Duration) (int64, error)
	PasswordChanged(ctx context.Context, tx *gorm.DB, to, name string) (int64, error)
}

// ResetConfig is what the password-reset and change-password routes need.
type ResetConfig struct {
	Store     *ResetStore
	Accounts  UsuarioAccounts
	Hasher    *Hasher
	Mailer    ResetMailer
	Sessions  *Sessions
	Validator *httpapi.Validator
	// Secret keys the HMAC that codes are stored under, so that a copy of
	// the table does not give the codes away (they are short).
	Secret      []byte
	Limit       *httpapi.RateLimit // per client IP on the three public routes
	CodeTTL     time.Duration      // [15 min]
	TokenTTL    time.Duration      // reset_token lifetime [15 min]
	MaxAttempts int                // wrong codes that kill a code [5]
	VerifiedTTL time.Duration      // how long a confirm-code lets its address reset with {email, newPassword} alone [10 min]
	Now         func() time.Time   // [time.Now]
}

// ResetHandler serves the password-reset and change-password routes.
type ResetHandler struct{ ResetConfig }

// NewResetHandler builds the handler; zero durations and counts take the
// defaults in ResetConfig.
func NewResetHandler(cfg ResetConfig) *ResetHandler {
	if cfg.CodeTTL <= 0 {
		cfg.CodeTTL = 15 * time.Minute
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 15 * time.Minute
	}
	if cfg.VerifiedTTL <= 0 {
		cfg.VerifiedTTL = 10 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &ResetHandler{cfg}
}

// Routes mounts POST /auth/reset/code, /auth/confirm-code,
// /auth/reset-confirm and /auth/change-password on r (the root router).
func (h *ResetHandler) Routes(r chi.Router) {
	public := r.With(h.Limit.Middleware(nest))
	public.Post("/auth/reset/code", httpapi.Handle(nest, h.requestCode))
	public.Post("/auth/confirm-code", httpapi.Handle(nest, h.confirmCode))
	public.Post("/auth/reset-confirm", httpapi.Handle(nest, h.resetConfirm))
	r.With(auth.Require(nest)).Post("/auth/change-password", httpapi.Handle(nest, h.changePassword))
}

func (h *ResetHandler) now() time.Time { return h.Now().UTC().Truncate(time.Microsecond) }

// NewResetCode returns a random code of n characters of ResetCodeAlphabet.
func NewResetCode(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(ResetCodeAlphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = ResetCodeAlphabet[k.Int64()]
	}
	return string(b)
}

func (h *ResetHandler) codeHash(email, code string) string {
	m := hmac.New(sha256.New, h.Secret)
	m.Write([]byte("password-reset-code\x00" + email + "\x00" + strings.ToUpper(strings.TrimSpace(code))))
	return hex.EncodeToString(m.Sum(nil))
}

type requestCodeBody struct {
	Email string `json:"email" validate:"required,email,max=150"`
}

// requestCode answers the same whether the email exists or not, after the
// same work: one lookup and one transaction replacing the email's pending
// reset. An unknown or inactive email gets a decoy (a random code nobody is
// sent, bound to no account), so that the answer's timing tells nothing
// (issue 14: a known email took twice as long). The one thing only a real
// reset needs, its mail, is queued off the request path.
func (h *ResetHandler) requestCode(w http.ResponseWriter, r *http.Request) error {
	var body requestCodeBody
	if err := h.Validator.Bind(r, &body); err != nil {
		return err
	}
	ctx := r.Context()
	email := NormalizeEmail(body.Email)
	creds, err := h.Accounts.UsuarioCredentials(ctx, email)
	if err != nil && !errors.Is(err, ErrNoSuchAccount) {
		return err
	}
	known := err == nil && creds.Active
	code := NewResetCode(6)
	t := h.now()
	row := PasswordReset{Email: email, CodeHash: h.codeHash(email, code), ExpiresAt: t.Add(h.CodeTTL)}
	if known {
		row.AccountID = creds.ID
	}
	// Rows dead for an hour go too: decoys must not pile up.
	err = h.Store.Replace(ctx, row, t.Add(-h.CodeTTL-h.TokenTTL-h.VerifiedTTL-time.Hour))
	// A unique violation is a concurrent request for the same email: its
	// code stands and was mailed, the answer is the same.
	if err != nil && !database.IsUniqueViolation(err) {
		return fmt.Errorf("store reset code: %w", err)
	}
	if known && err == nil {
		go h.mailCode(httpapi.LoggerFrom(ctx), email, code) // after a pause: see there
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"message": msgCodeSent})
	return nil
}

// mailJitter bounds the pause before a reset code's mail is queued.
const mailJitter = 500 * time.Millisecond

// mailCode queues the code's mail after the answer. Were it lost (the
// process stopped in between), the owner asks for another code.
//
// It starts after a random pause: its writes (the outbox row, then the
// worker's) would otherwise slow whichever request comes next, and a
// client could tell a known email by timing the request after it.
func (h *ResetHandler) mailCode(log *slog.Logger, email, code string) {
	pause, _ := rand.Int(rand.Reader, big.NewInt(int64(mailJitter)))
	time.Sleep(mailJitter/10 + time.Duration(pause.Int64()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := h.Mailer.ResetCode(ctx, nil, email, "", code, h.CodeTTL); err != nil {
		log.Error("could not queue the reset code mail", "error", err)
		return
	}
	if wk, ok := h.Mailer.(interface{ Wake() }); ok {
		wk.Wake()
	}
}

var (
	errResetExpired = httpapi.NewError(http.StatusUnauthorized, msgCodeExpired)
	errResetInvalid = httpapi.NewError(http.StatusUnauthorized, msgCodeInvalid)
	errTokenInvalid = httpapi.NewError(http.StatusUnauthorized, msgTokenInvalid)
)

// checkCode verifies code for email. An attempt is reserved before the
// comparison (so that concurrent guesses cannot exceed MaxAttempts) and
// given back when the code is right: only wrong codes count.
func (h *ResetHandler) checkCode(ctx context.Context, email, code string) (PasswordReset, error) {
	row, err := h.Store.ReserveAttempt(ctx, email, h.now(), h.MaxAttempts)
	if errors.Is(err, errNoReset) {
		return PasswordReset{}, errResetExpired
	}
	if err != nil {
		return PasswordReset{}, err
	}
	if !hmac.Equal([]byte(h.codeHash(email, code)), []byte(row.CodeHash)) {
		return PasswordReset{}, errResetInvalid
	}
	if err := h.Store.GiveBackAttempt(ctx, row.ID); err != nil {
		return PasswordReset{}, err
	}
	return row, nil
}

type confirmCodeBody struct {
	Email string `json:"email" validate:"required,email,max=150"`
	Code  string `json:"code" validate:"required,max=32"`
}

func (h *ResetHandler) confirmCode(w http.ResponseWriter, r *http.Request) error {
	var body confirmCodeBody
	if err := h.Validator.Bind(r, &body); err != nil {
		return err
	}
	email := NormalizeEmail(body.Email)
	row, err := h.checkCode(r.Context(), email, body.Code)
	if err != nil {
		return err
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	// The frontend drops the token and sends {email, newPassword}: this
	// address may do that, once, for VerifiedTTL.
	t := h.now()
	err = h.Store.SetToken(r.Context(), row.ID, hashToken(token), t.Add(h.TokenTTL), httpapi.ClientIP(r), t.Add(h.VerifiedTTL))
	if errors.Is(err, errNoReset) {
		return errResetExpired
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"message": msgCodeOK, "reset_token": token})
	return nil
}

type resetConfirmBody struct {
	Email       string `json:"email" validate:"required,email,max=150"`
	NewPassword string `json:"newPassword" validate:"required,minbytes=8,maxbytes=72"`
	ResetToken  string `json:"reset_token" validate:"omitempty,max=200"`
	Code        string `json:"code" validate:"omitempty,max=32"`
}

// resetConfirm sets a new password against a proof: the reset_token of
// confirm-code, or the code itself — or, for the React frontend which sends
// neither, a confirm-code made for this email from this client address in
// the last VerifiedTTL. The proof is spent first (one use), then
// the password changes, every session of the account ends, and the owner
// is told by mail.
func (h *ResetHandler) resetConfirm(w http.ResponseWriter, r *http.Request) error {
	var body resetConfirmBody
	if err := h.Validator.Bind(r, &body); err != nil {
		return err
	}
	ctx := r.Context()
	email := NormalizeEmail(body.Email)
	var row PasswordReset
	if body.ResetToken == "" && body.Code == "" {
		var err error
		row, err = h.Store.ByVerified(ctx, email, httpapi.ClientIP(r), h.now())
		if errors.Is(err, errNoReset) {
			return httpapi.Validation("reset_token o code es requerido")
		}
		if err != nil {
			return err
		}
	} else if body.ResetToken != "" {
		var err error
		row, err = h.Store.ByToken(ctx, email, hashToken(body.ResetToken), h.now())
		if errors.Is(err, errNoReset) {
			return errTokenInvalid
		}
		if err != nil {
			return err
		}
	} else {
		var err error
		if row, err = h.checkCode(ctx, email, body.Code); err != nil {
			return err
		}
	}
	creds, err := h.Accounts.UsuarioCredentials(ctx, email)
	if errors.Is(err, ErrNoSuchAccount) || (err == nil && (!creds.Active || creds.ID != row.AccountID)) {
		return errResetExpired
	}
	if err != nil {
		return err
	}
	hash, err := h.Hasher.Hash(ctx, body.NewPassword)
	if err != nil {
		return err
	}
	// Spend the proof; of two requests racing with it, one wins.
	err = h.Store.Spend(ctx, row.ID, h.now())
	if errors.Is(err, errNoReset) {
		return errTokenInvalid
	}
	if err != nil {
		return err
	}
	if err := h.setPassword(ctx, creds, hash, ""); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"message": msgPasswordChanged})
	return nil
}

// setPassword stores the hash, ends the account's sessions and queues the
// "password changed" notice. With keepFamily empty every token dies (the
// version bump kills access tokens, revocation the refresh tokens); a
// usuario changing its own password keeps the session it did it from, as
// PATCH /usuario/:id does.
func (h *ResetHandler) setPassword(ctx context.Context, creds Credentials, hash, keepFamily string) error {
	if err := h.Accounts.SetUsuarioPasswordHash(ctx, creds.ID, hash, keepFamily == ""); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := h.Sessions.EndAll(ctx, auth.KindUsuario, creds.ID, keepFamily); err != nil {
		return err
	}
	if _, err := h.Mailer.PasswordChanged(ctx, nil, creds.Username, ""); err != nil {
		return fmt.Errorf("queue password-changed mail: %w", err)
	}
	return nil
}

type changePasswordBody struct {
	CurrentPassword string `json:"currentPassword" validate:"omitempty,maxbytes=72"`
	NewPassword     string `json:"newPassword" validate:"required,minbytes=8,maxbytes=72"`
	Email           string `json:"email" validate:"omitempty,email,max=150"`
}

// changePassword changes the caller's own password (currentPassword
// required) or, for an admin giving email, another usuario's. The
// account's other sessions end; the caller's own stays.
func (h *ResetHandler) changePassword(w http.ResponseWriter, r *http.Request) error {
	p, _ := auth.PrincipalFrom(r.Context())
	if p.Kind != auth.KindUsuario {
		return &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden}
	}
	var body changePasswordBody
	if err := h.Validator.Bind(r, &body); err != nil {
		return err
	}
	ctx := r.Context()
	// By id, not by the token's username: the email may have changed since.
	self, err := h.Accounts.UsuarioCredentialsByID(ctx, p.ID)
	if errors.Is(err, ErrNoSuchAccount) {
		return &httpapi.Error{Status: http.StatusUnauthorized, Code: httpapi.CodeTokenInvalid}
	}
	if err != nil {
		return err
	}
	target := self
	if email := NormalizeEmail(body.Email); email != "" && email != self.Username {
		if !p.HasRole(role.Admin) {
			return &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden}
		}
		target, err = h.Accounts.UsuarioCredentials(ctx, email)
		if errors.Is(err, ErrNoSuchAccount) {
			return httpapi.NewError(http.StatusNotFound, msgNoSuchUsuario)
		}
		if err != nil {
			return err
		}
	} else {
		if body.CurrentPassword == "" {
			return httpapi.Validation("currentPassword es requerido")
		}
		ok, _, err := h.Hasher.Compare(ctx, self.Hash, body.CurrentPassword)
		if err != nil {
			return err
		}
		if !ok {
			// 400, not 401: the React client drops the session on any 401.
			return httpapi.NewError(http.StatusBadRequest, msgWrongCurrent)
		}
	}
	hash, err := h.Hasher.Hash(ctx, body.NewPassword)
	if err != nil {
		return err
	}
	keep := ""
	if target.ID == self.ID {
		keep = p.Family
	}
	if err := h.setPassword(ctx, target, hash, keep); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"message": msgPasswordChanged})
	return nil
}
