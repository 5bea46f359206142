package mail_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/config"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/mail"
	"github.com/kantuta/kantuta/internal/testkit"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fast are worker timings for tests: retries in milliseconds.
func fast(id string) mail.WorkerOptions {
	return mail.WorkerOptions{ID: id, Poll: 10 * time.Millisecond, FirstRetry: 20 * time.Millisecond,
		MaxRetry: 100 * time.Millisecond, SendTimeout: 5 * time.Second, Logger: quiet}
}

func smtpSender(t *testing.T, sink *testkit.SMTPSink) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(config.SMTP{Host: sink.Host, Port: sink.Port, TLS: "none",
		From: "Kantuta POS <no-reply@kantuta.test>"}, mail.SMTPOptions{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, w *mail.Worker) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func byStatus(t *testing.T, db *database.DB) map[string]int64 {
	t.Helper()
	var rows []struct {
		Status string
		N      int64
	}
	if err := db.Raw("SELECT status, count(*) AS n FROM mail_outbox GROUP BY status").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out
}

func waitStatus(t *testing.T, db *database.DB, status string, n int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for byStatus(t, db)[status] != n {
		if time.Now().After(deadline) {
			t.Fatalf("want %d mails %s, have %v", n, status, byStatus(t, db))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFailedTries waits until n mails have failed at least tries times.
func waitFailedTries(t *testing.T, db *database.DB, n int64, tries int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var tried int64
		db.Raw("SELECT count(*) FROM mail_outbox WHERE attempts >= ? AND last_error IS NOT NULL", tries).Scan(&tried)
		if tried == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d mails failed %d times; states %v", tried, n, tries, byStatus(t, db))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// deliveredOnce checks that every mail id arrived exactly once.
func deliveredOnce(t *testing.T, msgs []testkit.ReceivedMail, want int) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.Header.Get("X-Kantuta-Mail-Id")]++
	}
	if len(seen) != want || len(msgs) != want {
		t.Fatalf("%d messages for %d distinct mails, want %d each once", len(msgs), len(seen), want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("mail %s delivered %d times", id, n)
		}
	}
}

func TestBackoff(t *testing.T) {
	first, max := 5*time.Second, 15*time.Minute
	cases := []struct {
		attempt int
		base    time.Duration
	}{{1, 5 * time.Second}, {2, 10 * time.Second}, {3, 20 * time.Second}, {5, 80 * time.Second},
		{8, 640 * time.Second}, {9, max}, {10, max}, {40, max}}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.attempt), func(t *testing.T) {
			for i := 0; i < 50; i++ {
				d := mail.Backoff(tc.attempt, first, max)
				if d < tc.base || d > tc.base+tc.base/10 {
					t.Fatalf("Backoff(%d) = %s, want %s plus at most 10%%", tc.attempt, d, tc.base)
				}
			}
		})
	}
}

func TestDeliveryHeadersAndBody(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		sink := testkit.NewSMTPSink(t)
		store := mail.NewStore(db)
		sys := mail.NewSystem(store)
		reg := prometheus.NewRegistry()
		metrics := mail.NewMetrics(reg, store)
		ctx := context.Background()
		msgID, err := sys.Message(ctx, nil, "ana@example.com", "Ana Pérez", "Cierre de caja ñandú", "Línea 1\nLínea <b>2</b> & más", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sys.ResetCode(ctx, nil, "ana@example.com", "", "ABC234", 15*time.Minute); err != nil {
			t.Fatal(err)
		}
		if n := testutil.ToFloat64(metricsDepth(t, reg, "queued")); n != 2 {
			t.Fatalf("depth queued %v, want 2", n)
		}
		w := mail.NewWorker(store, smtpSender(t, sink), mail.WorkerOptions{Logger: quiet, Metrics: metrics})
		if n := w.Drain(ctx); n != 2 {
			t.Fatalf("drained %d, want 2", n)
		}
		msgs := sink.WaitFor(2, 5*time.Second)
		m := msgs[0]
		dec := new(mime.WordDecoder)
		subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
		to, _ := dec.DecodeHeader(m.Header.Get("To"))
		checks := map[string]bool{
			"envelope from":  m.From == "no-reply@kantuta.test",
			"envelope to":    len(m.To) == 1 && m.To[0] == "ana@example.com",
			"subject":        subject == "Cierre de caja ñandú",
			"to header":      strings.Contains(to, "Ana Pérez") && strings.Contains(to, "<ana@example.com>"),
			"from header":    strings.Contains(m.Header.Get("From"), "<no-reply@kantuta.test>"),
			"message id":     strings.HasPrefix(m.Header.Get("Message-Id"), fmt.Sprintf("<outbox-%d.", msgID)),
			"date":           m.Header.Get("Date") != "",
			"alternative":    strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/alternative"),
			"parts":          fmt.Sprint(m.Parts) == "[text/plain text/html]",
			"text greeting":  strings.HasPrefix(m.Text, "Hola, Ana Pérez:"),
			"text body":      strings.Contains(m.Text, "Línea 1\nLínea <b>2</b> & más") || strings.Contains(m.Text, "Línea 1\r\nLínea <b>2</b> & más"),
			"html escaped":   strings.Contains(m.HTML, "Línea &lt;b&gt;2&lt;/b&gt; &amp; más") && !strings.Contains(m.HTML, "<b>2</b>"),
			"html is html":   strings.Contains(m.HTML, "<!DOCTYPE html>"),
			"reset code txt": strings.Contains(msgs[1].Text, "ABC234") && strings.Contains(msgs[1].Text, "15 minutos"),
			"reset code htm": strings.Contains(msgs[1].HTML, "ABC234"),
		}
		for name, ok := range checks {
			if !ok {
				t.Errorf("%s wrong:\n%s", name, m.Raw)
			}
		}
		got, err := store.Get(ctx, msgID)
		if err != nil || got.Status != mail.StatusSent || got.SentAt == nil || got.Attempts != 1 || got.ClaimedBy != nil {
			t.Fatalf("after delivery: %+v %v", got, err)
		}
		reset, _ := store.Get(ctx, msgID+1)
		if strings.Contains(reset.BodyText+reset.BodyHTML, "ABC234") {
			t.Fatal("the reset code stays in the outbox after delivery")
		}
		if n := testutil.ToFloat64(metricsCounter(t, reg, "kantuta_mail_sent_total")); n != 2 {
			t.Fatalf("sent counter %v", n)
		}
	})
}

func metricsDepth(t *testing.T, reg *prometheus.Registry, status string) prometheus.Collector {
	return gathered(t, reg, "kantuta_mail_outbox_depth", status)
}

func metricsCounter(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	return gathered(t, reg, name, "")
}

// gathered turns one gathered sample into a collector testutil can read.
func gathered(t *testing.T, reg *prometheus.Registry, name, status string) prometheus.Collector {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if status != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != status) {
				continue
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "x"})
			g.Set(v)
			return g
		}
	}
	t.Fatalf("metric %s{%s} not found", name, status)
	return nil
}

func queue(t *testing.T, sys *mail.System, n int, tag string) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := sys.Message(context.Background(), nil, fmt.Sprintf("u%d@example.com", i), "", fmt.Sprintf("%s %d", tag, i), "hola", nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSMTPDownThenUp(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		sink := testkit.NewSMTPSink(t)
		sink.Stop()
		store := mail.NewStore(db)
		queue(t, mail.NewSystem(store), 100, "caída")
		stop := run(t, mail.NewWorker(store, smtpSender(t, sink), fast("w1")))
		// Every mail is tried, and fails, twice while the server is down.
		waitFailedTries(t, db, 100, 2, 10*time.Second)
		if got := byStatus(t, db); got[mail.StatusSent] != 0 || got[mail.StatusFailed] != 0 {
			t.Fatalf("while down: %v", got)
		}
		sink.Start()
		waitStatus(t, db, mail.StatusSent, 100, 20*time.Second)
		stop()
		deliveredOnce(t, sink.Messages(), 100)
	})
}

func TestThreeWorkersDeliverEachMailOnce(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		sink := testkit.NewSMTPSink(t)
		queue(t, mail.NewSystem(mail.NewStore(db)), 300, "réplica")
		var counts [3]atomic.Int32
		for i := 0; i < 3; i++ {
			// One store and sender each, as three replicas would have.
			opts := fast(fmt.Sprintf("replica-%d", i))
			opts.Batch = 5
			run(t, mail.NewWorker(mail.NewStore(db), counted{smtpSender(t, sink), &counts[i]}, opts))
		}
		waitStatus(t, db, mail.StatusSent, 300, 60*time.Second)
		time.Sleep(100 * time.Millisecond) // nothing more may arrive
		deliveredOnce(t, sink.Messages(), 300)
		t.Logf("mails per worker: %d %d %d", counts[0].Load(), counts[1].Load(), counts[2].Load())
		var attempts int64
		db.Raw("SELECT sum(attempts) FROM mail_outbox").Scan(&attempts)
		if attempts != 300 {
			t.Fatalf("%d attempts for 300 mails", attempts)
		}
	})
}

func TestExpiredLeaseIsTakenAgain(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		sink := testkit.NewSMTPSink(t)
		store := mail.NewStore(db)
		sys := mail.NewSystem(store)
		queue(t, sys, 2, "lease")
		past := time.Now().UTC().Add(-time.Minute)
		future := time.Now().UTC().Add(time.Hour)
		// Mail 1: claimed by a worker that died; mail 2: claimed by a live one.
		db.Exec("UPDATE mail_outbox SET status = 'sending', attempts = 1, claimed_by = 'dead', claimed_until = ? WHERE id = 1", past)
		db.Exec("UPDATE mail_outbox SET status = 'sending', attempts = 1, claimed_by = 'alive', claimed_until = ? WHERE id = 2", future)
		w := mail.NewWorker(store, smtpSender(t, sink), fast("rescuer"))
		if n := w.Drain(context.Background()); n != 1 {
			t.Fatalf("drained %d, want only the expired claim", n)
		}
		m1, _ := store.Get(context.Background(), 1)
		m2, _ := store.Get(context.Background(), 2)
		if m1.Status != mail.StatusSent || m1.Attempts != 2 || m2.Status != mail.StatusSending || *m2.ClaimedBy != "alive" {
			t.Fatalf("mail 1 %s/%d, mail 2 %s", m1.Status, m1.Attempts, m2.Status)
		}
		sink.WaitFor(1, 5*time.Second)
	})
}

// counted counts the mails one worker sent.
type counted struct {
	mail.Sender
	n *atomic.Int32
}

func (c counted) Send(ctx context.Context, m mail.Mail) error {
	err := c.Sender.Send(ctx, m)
	if err == nil {
		c.n.Add(1)
	}
	return err
}

// gate blocks the first Send until released.
type gate struct {
	started chan struct{}
	release chan struct{}
	sent    atomic.Int32
	once    sync.Once
}

func (g *gate) Send(ctx context.Context, m mail.Mail) error {
	g.once.Do(func() { close(g.started); <-g.release })
	g.sent.Add(1)
	return nil
}
func (g *gate) Idle()        {}
func (g *gate) Close() error { return nil }

func TestGracefulStopFinishesOrReleases(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		store := mail.NewStore(db)
		queue(t, mail.NewSystem(store), 5, "stop")
		g := &gate{started: make(chan struct{}), release: make(chan struct{})}
		opts := fast("stopping")
		opts.Batch = 5
		stop := run(t, mail.NewWorker(store, g, opts))
		<-g.started // the first mail is being sent, the other four are claimed
		if got := byStatus(t, db); got[mail.StatusSending] != 5 {
			t.Fatalf("want 5 claimed, have %v", got)
		}
		stopped := make(chan struct{})
		go func() { stop(); close(stopped) }()
		time.Sleep(50 * time.Millisecond) // stop is asked while the send is in flight
		close(g.release)
		<-stopped
		got := byStatus(t, db)
		if g.sent.Load() != 1 || got[mail.StatusSent] != 1 || got[mail.StatusQueued] != 4 {
			t.Fatalf("after stop: sent %d, states %v", g.sent.Load(), got)
		}
		var leftover int64
		db.Raw("SELECT count(*) FROM mail_outbox WHERE status = 'queued' AND (attempts <> 0 OR claimed_by IS NOT NULL)").Scan(&leftover)
		if leftover != 0 {
			t.Fatal("released mails keep a claim or a spent attempt")
		}
	})
}

type failing struct{ err error }

func (f failing) Send(context.Context, mail.Mail) error { return f.err }
func (failing) Idle()                                   {}
func (failing) Close() error                            { return nil }

func TestFailures(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		attempts int
	}{
		{"temporary errors until the last try", errors.New("421 try later"), 3},
		{"permanent error at once", mail.Permanent(errors.New("550 no such user")), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := testkit.NewSQLite(t)
			store := mail.NewStore(db)
			queue(t, mail.NewSystem(store), 1, "fallo")
			opts := fast("f")
			opts.MaxAttempts = 3
			stop := run(t, mail.NewWorker(store, failing{tc.err}, opts))
			waitStatus(t, db, mail.StatusFailed, 1, 5*time.Second)
			stop()
			m, _ := store.Get(context.Background(), 1)
			if m.Attempts != tc.attempts || m.LastError == nil || !strings.Contains(*m.LastError, tc.err.Error()) {
				t.Fatalf("failed mail: attempts %d, last error %v", m.Attempts, m.LastError)
			}
		})
	}
}

func TestSMTPConnection(t *testing.T) {
	sink := testkit.NewSMTPSink(t)
	m := mail.Mail{ID: 1, ToEmail: "ana@example.com", Subject: "x", BodyText: "y", CreatedAt: time.Now()}
	ctx := context.Background()

	t.Run("one connection for many mails, dialled again when dropped", func(t *testing.T) {
		s := smtpSender(t, sink)
		defer s.Close()
		before := sink.Connections()
		for i := 0; i < 5; i++ {
			if err := s.Send(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if n := sink.Connections() - before; n != 1 {
			t.Fatalf("%d connections for 5 mails", n)
		}
		sink.Stop() // drops the open connection
		sink.Start()
		if err := s.Send(ctx, m); err != nil {
			t.Fatalf("no redial after the server dropped the connection: %v", err)
		}
		if n := sink.Connections() - before; n != 2 {
			t.Fatalf("%d connections, want 2", n)
		}
	})
	cases := []struct {
		name, mode    string
		opportunistic bool
		ok            bool
	}{
		{"starttls is mandatory by default", "starttls", false, false},
		{"opportunistic starttls falls back to plain text", "starttls", true, true},
		{"none sends in plain text", "none", false, true},
		{"implicit tls needs a TLS server", "tls", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := mail.NewSMTPSender(config.SMTP{Host: sink.Host, Port: sink.Port, TLS: tc.mode, From: "a@kantuta.test"},
				mail.SMTPOptions{Timeout: time.Second, Opportunistic: tc.opportunistic})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.Send(ctx, m)
			if (err == nil) != tc.ok {
				t.Fatalf("send with SMTP_TLS=%s: %v", tc.mode, err)
			}
			if err != nil && mail.IsPermanent(err) {
				t.Fatalf("a TLS failure must be retried, not permanent: %v", err)
			}
		})
	}
	if _, err := mail.NewSMTPSender(config.SMTP{Host: "h", Port: 25, From: "no es una dirección"}, mail.SMTPOptions{}); err == nil {
		t.Fatal("a bad SMTP_FROM is accepted")
	}
}

func TestSystemMailsJoinTheCallersTransaction(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		sys := mail.NewSystem(mail.NewStore(db))
		ctx := context.Background()
		rollback := errors.New("registration failed")
		err := db.Transaction(func(tx *gorm.DB) error {
			if _, err := sys.Welcome(ctx, tx, "ana@example.com", "Ana"); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) || byStatus(t, db)[mail.StatusQueued] != 0 {
			t.Fatalf("a rolled-back welcome mail was queued: %v", err)
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			_, err := sys.Welcome(ctx, tx, "ana@example.com", "Ana\r\nBcc: x@example.com")
			return err
		})
		if err != nil || byStatus(t, db)[mail.StatusQueued] != 1 {
			t.Fatalf("committed welcome mail: %v %v", err, byStatus(t, db))
		}
		var m mail.Mail
		db.Take(&m)
		if m.Kind != mail.KindWelcome || strings.ContainsAny(m.ToName, "\r\n") || !strings.Contains(m.BodyText, "ana@example.com") || m.BodyHTML == "" {
			t.Fatalf("welcome mail: %+v", m)
		}
	})
}
