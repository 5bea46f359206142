// Package mail is the durable outbox: every mail the server sends is first
// a row of mail_outbox, written in the same transaction as whatever caused
// it, then drained by a Worker in every `kantuta serve` process through an
// SMTP server (go-mail) or the console backend.
//
// Delivery is at least once: a mail is marked sent only after the SMTP
// server accepted it, a crashed worker's claim expires (its lease) and is
// taken again, and a stopping worker releases what it claimed but did not
// send. In normal operation each mail is sent exactly once: claims are
// exclusive (FOR UPDATE SKIP LOCKED on PostgreSQL, one write transaction on
// SQLite) and every state change is fenced by the claimant's id.
//
// Secrets: mails marked sensitive (the reset code) are never written to the
// structured log, are not shown by GET /mail/:id, and their bodies are
// erased from the table once sent or failed. The console backend is the
// development mail sink: it prints whole mails, bodies included, to its own
// writer (stdout), never through slog; production refuses it (config).
package mail

import (
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// Statuses of an outbox row.
const (
	StatusQueued  = "queued"
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Kinds of mail (for logs and metrics; the body says the rest).
const (
	KindMessage         = "message" // POST /mail
	KindWelcome         = "welcome"
	KindResetCode       = "reset_code"
	KindPasswordChanged = "password_changed"
	KindStockBajo       = "stock_bajo" // low-stock alert (SPEC §12.3)
)

// erased replaces the bodies of sensitive mails once they are done.
const erased = "[contenido eliminado tras el envío]"

// Mail is a row of mail_outbox.
type Mail struct {
	ID            int64 `gorm:"primaryKey"`
	Kind          string
	ToEmail       string
	ToName        string
	Subject       string
	BodyText      string
	BodyHTML      string `gorm:"column:body_html"`
	Sensitive     bool
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	ClaimedBy     *string
	ClaimedUntil  *time.Time
	LastError     *string
	SentAt        *time.Time
	IDUserCreate  *int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (Mail) TableName() string { return "mail_outbox" }

// JSON is the state of a mail as GET /mail/:id shows it: never its body.
type JSON struct {
	ID            int64         `json:"id"`
	Kind          string        `json:"kind"`
	Email         string        `json:"email"`
	Name          string        `json:"name"`
	Subject       string        `json:"subject"`
	Status        string        `json:"status"`
	Attempts      int           `json:"attempts"`
	NextAttemptAt *httpapi.Time `json:"next_attempt_at"`
	LastError     *string       `json:"last_error"`
	SentAt        *httpapi.Time `json:"sent_at"`
	IDUserCreate  *int64        `json:"id_user_create"`
	CreatedAt     httpapi.Time  `json:"created_at"`
	UpdatedAt     httpapi.Time  `json:"updated_at"`
}

// ToJSON renders m for GET /mail/:id.
func (m Mail) ToJSON() JSON {
	j := JSON{
		ID: m.ID, Kind: m.Kind, Email: m.ToEmail, Name: m.ToName, Subject: m.Subject,
		Status: m.Status, Attempts: m.Attempts, LastError: m.LastError,
		SentAt: httpapi.TimePtr(m.SentAt), IDUserCreate: m.IDUserCreate,
		CreatedAt: httpapi.Time(m.CreatedAt), UpdatedAt: httpapi.Time(m.UpdatedAt),
	}
	if m.Status == StatusQueued {
		j.NextAttemptAt = httpapi.TimePtr(&m.NextAttemptAt)
	}
	return j
}
