package mail

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
)

// ErrNotFound is GET /mail/:id for an unknown id.
var ErrNotFound = errors.New("mail not found")

// Store keeps the outbox.
type Store struct {
	db   *database.DB
	wake chan struct{}
}

// NewStore builds a Store on db.
func NewStore(db *database.DB) *Store {
	return &Store{db: db, wake: make(chan struct{}, 1)}
}

// Enqueue stores m as queued, due now. With tx it joins the caller's
// transaction (the mail exists if and only if the caller commits);
// otherwise it writes on its own and wakes the local worker.
func (s *Store) Enqueue(ctx context.Context, tx *gorm.DB, m *Mail) error {
	t := database.Now()
	m.ID = 0
	m.Status = StatusQueued
	m.Attempts = 0
	m.NextAttemptAt = t
	m.ClaimedBy, m.ClaimedUntil, m.LastError, m.SentAt = nil, nil, nil, nil
	if m.Kind == "" {
		m.Kind = KindMessage
	}
	db := tx
	if db == nil {
		db = s.db.DB
	}
	if err := db.WithContext(ctx).Omit("id").Create(m).Error; err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	if tx == nil {
		s.Wake()
	}
	return nil
}

// Wake tells the local worker that a mail is due, without waiting for its
// next poll (harmless when nothing is due).
func (s *Store) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Get returns one mail.
func (s *Store) Get(ctx context.Context, id int64) (Mail, error) {
	var m Mail
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&m).Error
	if database.IsNotFound(err) {
		return Mail{}, ErrNotFound
	}
	if err != nil {
		return Mail{}, fmt.Errorf("mail %d: %w", id, err)
	}
	return m, nil
}

// claim takes up to n due mails for worker until now+lease: queued mails
// whose time has come, and mails whose previous claimant's lease ran out
// (a crashed worker). Each claim counts as an attempt.
//
// PostgreSQL: the rows are picked with FOR UPDATE SKIP LOCKED, so replicas
// claiming at once take disjoint sets without waiting on each other.
// SQLite: the statement runs in one immediate (write-locked) transaction,
// so there is only ever one claimant at a time.
func (s *Store) claim(ctx context.Context, worker string, n int, lease time.Duration) ([]Mail, error) {
	t := database.Now()
	lock := ""
	if s.db.IsPostgres() {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE mail_outbox
		SET status = 'sending', claimed_by = ?, claimed_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id IN (
			SELECT id FROM mail_outbox
			WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_until < ?)
			ORDER BY next_attempt_at, id
			LIMIT ?` + lock + `)
		RETURNING *`
	var out []Mail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Raw(q, worker, t.Add(lease), t, t, t, n).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("claim mails: %w", err)
	}
	return out, nil
}

// fenced updates a mail only while worker still holds its claim; false
// means the lease was lost (another worker has it now).
func (s *Store) fenced(ctx context.Context, id int64, worker string, set map[string]any) (bool, error) {
	set["claimed_by"] = nil
	set["claimed_until"] = nil
	set["updated_at"] = database.Now()
	res := s.db.WithContext(ctx).Model(&Mail{}).
		Where("id = ? AND claimed_by = ? AND status = ?", id, worker, StatusSending).Updates(set)
	if res.Error != nil {
		return false, fmt.Errorf("update mail %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func eraseIfSensitive(m Mail, set map[string]any) map[string]any {
	if m.Sensitive {
		set["body_text"] = erased
		set["body_html"] = ""
	}
	return set
}

// markSent records a delivery.
func (s *Store) markSent(ctx context.Context, m Mail, worker string) (bool, error) {
	return s.fenced(ctx, m.ID, worker, eraseIfSensitive(m, map[string]any{
		"status": StatusSent, "sent_at": database.Now(), "last_error": nil,
	}))
}

// markFailed gives up on a mail for good.
func (s *Store) markFailed(ctx context.Context, m Mail, worker string, cause error) (bool, error) {
	return s.fenced(ctx, m.ID, worker, eraseIfSensitive(m, map[string]any{
		"status": StatusFailed, "last_error": errorText(cause),
	}))
}

// retryLater puts a mail back in the queue, due at at.
func (s *Store) retryLater(ctx context.Context, m Mail, worker string, at time.Time, cause error) (bool, error) {
	return s.fenced(ctx, m.ID, worker, map[string]any{
		"status": StatusQueued, "next_attempt_at": at.UTC(), "last_error": errorText(cause),
	})
}

// release hands back a claimed mail that was not tried (a stopping
// worker): it is due again at once, and the claim does not count as an attempt.
func (s *Store) release(ctx context.Context, m Mail, worker string) (bool, error) {
	return s.fenced(ctx, m.ID, worker, map[string]any{
		"status": StatusQueued, "attempts": gorm.Expr("attempts - 1"),
	})
}

// Depth counts the mails in each unfinished state (and the failed ones).
func (s *Store) Depth(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	err := s.db.WithContext(ctx).Model(&Mail{}).Select("status, count(*) AS n").
		Where("status IN ?", []string{StatusQueued, StatusSending, StatusFailed}).
		Group("status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("outbox depth: %w", err)
	}
	out := map[string]int64{StatusQueued: 0, StatusSending: 0, StatusFailed: 0}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// errorText keeps the stored error within its column.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) <= 500 {
		return s
	}
	s = s[:497]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "..."
}
