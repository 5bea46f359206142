package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htemplate "html/template"
	"strings"
	ttemplate "text/template"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

var (
	textTemplates = ttemplate.Must(ttemplate.ParseFS(templateFS, "templates/*.txt"))
	htmlTemplates = htemplate.Must(htemplate.ParseFS(templateFS, "templates/*.html"))
)

// System enqueues the mails the server sends by itself, and the ones of
// POST /mail, rendered from the embedded templates (Spanish plain text
// with an HTML alternative). Every method takes an optional transaction:
// with tx the mail is queued if and only if the caller commits.
type System struct{ store *Store }

// NewSystem builds the mailer on the outbox.
func NewSystem(store *Store) *System { return &System{store: store} }

// Wake tells the local worker to look at the outbox now: call it after
// committing a transaction that queued a mail.
func (s *System) Wake() { s.store.Wake() }

// Store is the outbox the mailer writes to.
func (s *System) Store() *Store { return s.store }

// Welcome queues the welcome mail of a new usuario.
func (s *System) Welcome(ctx context.Context, tx *gorm.DB, to, name string) (int64, error) {
	return s.queue(ctx, tx, KindWelcome, to, name, "Bienvenido a Kantuta POS", false, nil,
		map[string]any{"Email": to})
}

// ResetCode queues the password-reset code (a sensitive mail: kept out of
// logs and erased from the outbox once delivered).
func (s *System) ResetCode(ctx context.Context, tx *gorm.DB, to, name, code string, ttl time.Duration) (int64, error) {
	return s.queue(ctx, tx, KindResetCode, to, name, "Tu código de verificación de Kantuta POS", true, nil,
		map[string]any{"Code": code, "Minutes": int(ttl.Round(time.Minute) / time.Minute)})
}

// PasswordChanged queues the notice that an account's password changed.
func (s *System) PasswordChanged(ctx context.Context, tx *gorm.DB, to, name string) (int64, error) {
	return s.queue(ctx, tx, KindPasswordChanged, to, name, "Tu contraseña de Kantuta POS fue cambiada", false, nil,
		map[string]any{"Email": to, "When": time.Now().UTC().Format("02/01/2006 15:04")})
}

// StockBajo queues a low-stock alert (SPEC §12.3) inside the transaction
// that made the product low.
func (s *System) StockBajo(ctx context.Context, tx *gorm.DB, to, name, producto string, stock, minimo int64, categoria string) (int64, error) {
	return s.queue(ctx, tx, KindStockBajo, to, name, "Alerta de stock bajo: "+producto, false, nil,
		map[string]any{"Producto": producto, "Stock": stock, "Minimo": minimo, "Categoria": categoria})
}

// Message queues a mail of POST /mail; by is the usuario who asked, if any.
func (s *System) Message(ctx context.Context, tx *gorm.DB, to, name, subject, message string, by *int64) (int64, error) {
	return s.queue(ctx, tx, KindMessage, to, name, subject, false, by, map[string]any{"Message": message})
}

func (s *System) queue(ctx context.Context, tx *gorm.DB, kind, to, name, subject string, sensitive bool, by *int64, data map[string]any) (int64, error) {
	m, err := render(kind, to, name, subject, data)
	if err != nil {
		return 0, err
	}
	m.Sensitive, m.IDUserCreate = sensitive, by
	if err := s.store.Enqueue(ctx, tx, &m); err != nil {
		return 0, err
	}
	return m.ID, nil
}

// render makes the outbox row of a mail of kind from its template and data
// (which it completes with Name and Subject), with header-safe name and
// subject and a recipient without control characters.
func render(kind, to, name, subject string, data map[string]any) (Mail, error) {
	// System mails take the name from a persona, which may hold what a
	// display name cannot (POST /mail refuses it): it becomes a space.
	name = headerSafe(strings.Map(func(r rune) rune {
		if strings.ContainsRune(displayNameForbidden, r) {
			return ' '
		}
		return r
	}, name), 100)
	subject = headerSafe(subject, 200)
	to = strings.TrimSpace(to)
	if to == "" || strings.ContainsFunc(to, isControl) {
		return Mail{}, fmt.Errorf("mail %s: invalid recipient", kind)
	}
	data["Name"] = name
	data["Subject"] = subject
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, kind+".txt", data); err != nil {
		return Mail{}, fmt.Errorf("render %s.txt: %w", kind, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, kind+".html", data); err != nil {
		return Mail{}, fmt.Errorf("render %s.html: %w", kind, err)
	}
	return Mail{
		Kind: kind, ToEmail: to, ToName: name, Subject: subject,
		BodyText: text.String(), BodyHTML: html.String(),
	}, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// headerSafe makes a value fit for a mail header: control characters
// (CR/LF above all) become spaces, and it is cut to max characters. The
// HTTP handlers refuse such input; this protects the system mails.
func headerSafe(s string, max int) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s))
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}
