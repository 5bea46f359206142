package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

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

// PasswordReset is a row of password_reset: one pending reset per email,
// code and token stored as hashes only.
type PasswordReset struct {
	ID             int64 `gorm:"primaryKey"`
	Email          string
	AccountID      string
	CodeHash       string
	Attempts       int
	ExpiresAt      time.Time
	TokenHash      *string
	TokenExpiresAt *time.Time
	UsedAt         *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (PasswordReset) TableName() string { return "password_reset" }

// ResetHandler serves the password-reset and change-password routes.
type ResetHandler struct {
	DB            *gorm.DB
	Accounts      UsuarioAccounts
	Hasher        *Hasher
	Mailer        ResetMailer
	Sessions      *Sessions
	Authenticator *Authenticator
	// Secret keys the HMAC that codes are stored under, so that a copy of
	// the table does not give the codes away (they are short).
	Secret []byte
	// LimitRequests per LimitPer and client IP on the three public routes.
	LimitRequests int
	LimitPer      time.Duration
	CodeTTL       time.Duration // [15 min]
	TokenTTL      time.Duration // reset_token lifetime [15 min]
	MaxAttempts   int           // wrong codes that kill a code [5]
	Now           func() time.Time

	Validator *httpapi.Validator // the app's shared one; a new one when nil
}

// Routes mounts POST /auth/reset/code, /auth/confirm-code,
// /auth/reset-confirm and /auth/change-password on r (the root router).
func (h *ResetHandler) Routes(r chi.Router) {
	if h.CodeTTL <= 0 {
		h.CodeTTL = 15 * time.Minute
	}
	if h.TokenTTL <= 0 {
		h.TokenTTL = 15 * time.Minute
	}
	if h.MaxAttempts <= 0 {
		h.MaxAttempts = 5
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.LimitRequests <= 0 || h.LimitPer <= 0 {
		h.LimitRequests, h.LimitPer = 20, time.Minute
	}
	if h.Validator == nil {
		h.Validator = httpapi.NewValidator()
	}
	public := r.With(httpapi.NewRateLimit(h.LimitRequests, h.LimitPer).Middleware(nest))
	public.Post("/auth/reset/code", h.requestCode)
	public.Post("/auth/confirm-code", h.confirmCode)
	public.Post("/auth/reset-confirm", h.resetConfirm)
	r.With(Require(nest)).Post("/auth/change-password", h.changePassword)
}

func (h *ResetHandler) now() time.Time { return h.Now().UTC().Truncate(time.Microsecond) }

func (h *ResetHandler) decode(w http.ResponseWriter, r *http.Request, dst any) bool {
	if err := h.Validator.Bind(r, dst); err != nil {
		httpapi.Fail(w, r, nest, err)
		return false
	}
	return true
}

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

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

type requestCodeBody struct {
	Email string `json:"email" validate:"required,email,max=150"`
}

// requestCode answers the same whether the email exists or not; for an
// active usuario it stores a new code (replacing any earlier one) and
// queues its mail in one transaction.
func (h *ResetHandler) requestCode(w http.ResponseWriter, r *http.Request) {
	var body requestCodeBody
	if !h.decode(w, r, &body) {
		return
	}
	email := NormalizeEmail(body.Email)
	creds, err := h.Accounts.UsuarioCredentials(r.Context(), email)
	switch {
	case errors.Is(err, ErrNoSuchAccount):
	case err != nil:
		httpapi.Fail(w, r, nest, err)
		return
	case creds.Active:
		code := NewResetCode(6)
		t := h.now()
		err = h.DB.WithContext(r.Context()).Transaction(func(tx *gorm.DB) error {
			if err := tx.Where("email = ?", email).Delete(&PasswordReset{}).Error; err != nil {
				return err
			}
			row := PasswordReset{Email: email, AccountID: creds.ID, CodeHash: h.codeHash(email, code), ExpiresAt: t.Add(h.CodeTTL)}
			if err := tx.Omit("id").Create(&row).Error; err != nil {
				return err
			}
			_, err := h.Mailer.ResetCode(r.Context(), tx, email, "", code, h.CodeTTL)
			return err
		})
		// A unique violation is a concurrent request for the same email: its
		// code stands and was mailed, the answer is the same.
		if err != nil && !database.IsUniqueViolation(err) {
			httpapi.Fail(w, r, nest, fmt.Errorf("store reset code: %w", err))
			return
		}
		if wk, ok := h.Mailer.(interface{ Wake() }); ok && err == nil {
			wk.Wake() // the mail is committed: no need to wait for the next poll
		}
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"message": msgCodeSent})
}

var (
	errResetExpired = httpapi.NewError(http.StatusUnauthorized, msgCodeExpired)
	errResetInvalid = httpapi.NewError(http.StatusUnauthorized, msgCodeInvalid)
)

// checkCode verifies code for email. An attempt is reserved before the
// comparison (so that concurrent guesses cannot exceed MaxAttempts) and
// given back when the code is right: only wrong codes count.
func (h *ResetHandler) checkCode(ctx context.Context, email, code string) (PasswordReset, error) {
	var rows []PasswordReset
	err := h.DB.WithContext(ctx).Raw(`UPDATE password_reset SET attempts = attempts + 1, updated_at = ?
		WHERE email = ? AND used_at IS NULL AND expires_at > ? AND attempts < ? RETURNING *`,
		h.now(), email, h.now(), h.MaxAttempts).Scan(&rows).Error
	if err != nil {
		return PasswordReset{}, fmt.Errorf("reserve reset attempt: %w", err)
	}
	if len(rows) == 0 {
		return PasswordReset{}, errResetExpired
	}
	row := rows[0]
	if !hmac.Equal([]byte(h.codeHash(email, code)), []byte(row.CodeHash)) {
		return PasswordReset{}, errResetInvalid
	}
	if err := h.DB.WithContext(ctx).Model(&PasswordReset{}).Where("id = ?", row.ID).
		Update("attempts", gorm.Expr("attempts - 1")).Error; err != nil {
		return PasswordReset{}, fmt.Errorf("give back reset attempt: %w", err)
	}
	return row, nil
}

type confirmCodeBody struct {
	Email string `json:"email" validate:"required,email,max=150"`
	Code  string `json:"code" validate:"required,max=32"`
}

func (h *ResetHandler) confirmCode(w http.ResponseWriter, r *http.Request) {
	var body confirmCodeBody
	if !h.decode(w, r, &body) {
		return
	}
	email := NormalizeEmail(body.Email)
	row, err := h.checkCode(r.Context(), email, body.Code)
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	res := h.DB.WithContext(r.Context()).Model(&PasswordReset{}).Where("id = ? AND used_at IS NULL", row.ID).
		Updates(map[string]any{"token_hash": tokenHash(token), "token_expires_at": h.now().Add(h.TokenTTL)})
	if res.Error != nil {
		httpapi.Fail(w, r, nest, fmt.Errorf("store reset token: %w", res.Error))
		return
	}
	if res.RowsAffected == 0 {
		httpapi.Fail(w, r, nest, errResetExpired)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"message": msgCodeOK, "reset_token": token})
}

type resetConfirmBody struct {
	Email       string `json:"email" validate:"required,email,max=150"`
	NewPassword string `json:"newPassword" validate:"required,minbytes=8,maxbytes=72"`
	ResetToken  string `json:"reset_token" validate:"omitempty,max=200"`
	Code        string `json:"code" validate:"omitempty,max=32"`
}

// resetConfirm sets a new password against a proof: the reset_token of
// confirm-code, or the code itself. The proof is spent first (one use), then
// the password changes, every session of the account ends, and the owner
// is told by mail.
func (h *ResetHandler) resetConfirm(w http.ResponseWriter, r *http.Request) {
	var body resetConfirmBody
	if !h.decode(w, r, &body) {
		return
	}
	if body.ResetToken == "" && body.Code == "" {
		httpapi.Fail(w, r, nest, httpapi.Validation("reset_token o code es requerido"))
		return
	}
	ctx := r.Context()
	email := NormalizeEmail(body.Email)
	var row PasswordReset
	if body.ResetToken != "" {
		err := h.DB.WithContext(ctx).Where("email = ? AND used_at IS NULL AND token_hash = ? AND token_expires_at > ?",
			email, tokenHash(body.ResetToken), h.now()).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusUnauthorized, msgTokenInvalid))
			return
		}
		if err != nil {
			httpapi.Fail(w, r, nest, fmt.Errorf("find reset token: %w", err))
			return
		}
	} else {
		var err error
		if row, err = h.checkCode(ctx, email, body.Code); err != nil {
			httpapi.Fail(w, r, nest, err)
			return
		}
	}
	creds, err := h.Accounts.UsuarioCredentials(ctx, email)
	if errors.Is(err, ErrNoSuchAccount) || (err == nil && (!creds.Active || creds.ID != row.AccountID)) {
		httpapi.Fail(w, r, nest, errResetExpired)
		return
	}
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	hash, err := h.Hasher.Hash(ctx, body.NewPassword)
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	// Spend the proof; of two requests racing with it, one wins.
	res := h.DB.WithContext(ctx).Model(&PasswordReset{}).Where("id = ? AND used_at IS NULL", row.ID).
		Updates(map[string]any{"used_at": h.now()})
	if res.Error != nil {
		httpapi.Fail(w, r, nest, fmt.Errorf("spend reset proof: %w", res.Error))
		return
	}
	if res.RowsAffected == 0 {
		httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusUnauthorized, msgTokenInvalid))
		return
	}
	if err := h.setPassword(ctx, creds, hash, ""); err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"message": msgPasswordChanged})
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
	h.Authenticator.Forget(KindUsuario, creds.ID)
	families, err := h.Sessions.RevokeAll(ctx, KindUsuario, creds.ID, keepFamily)
	for _, f := range families {
		h.Authenticator.ForgetFamily(f)
	}
	if err != nil {
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
func (h *ResetHandler) changePassword(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	if p.Kind != KindUsuario {
		httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden})
		return
	}
	var body changePasswordBody
	if !h.decode(w, r, &body) {
		return
	}
	ctx := r.Context()
	self, err := h.Accounts.UsuarioCredentials(ctx, p.Username)
	if errors.Is(err, ErrNoSuchAccount) || (err == nil && self.ID != p.ID) {
		httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusUnauthorized, Code: httpapi.CodeTokenInvalid})
		return
	}
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	target := self
	if email := NormalizeEmail(body.Email); email != "" && email != self.Username {
		if !p.HasRole(role.Admin) {
			httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden})
			return
		}
		target, err = h.Accounts.UsuarioCredentials(ctx, email)
		if errors.Is(err, ErrNoSuchAccount) {
			httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusNotFound, msgNoSuchUsuario))
			return
		}
		if err != nil {
			httpapi.Fail(w, r, nest, err)
			return
		}
	} else {
		if body.CurrentPassword == "" {
			httpapi.Fail(w, r, nest, httpapi.Validation("currentPassword es requerido"))
			return
		}
		ok, _, err := h.Hasher.Compare(ctx, self.Hash, body.CurrentPassword)
		if err != nil {
			httpapi.Fail(w, r, nest, err)
			return
		}
		if !ok {
			// 400, not 401: the React client drops the session on any 401.
			httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusBadRequest, msgWrongCurrent))
			return
		}
	}
	hash, err := h.Hasher.Hash(ctx, body.NewPassword)
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	keep := ""
	if target.ID == self.ID {
		keep = p.Family
	}
	if err := h.setPassword(ctx, target, hash, keep); err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]string{"message": msgPasswordChanged})
}
