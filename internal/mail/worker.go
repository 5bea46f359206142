package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"time"
)

// WorkerOptions tune a Worker; zero values take the defaults in brackets.
type WorkerOptions struct {
	ID          string        // claimant id [host-pid-random]
	Batch       int           // mails claimed at once [10]
	Poll        time.Duration // how often the outbox is looked at when idle [1 s]
	Lease       time.Duration // a claim not finished by then is taken again [5 min]
	FirstRetry  time.Duration // delay after the first failure, doubling [5 s]
	MaxRetry    time.Duration // cap of that delay [15 min]
	MaxAttempts int           // tries before the mail is failed [10]
	SendTimeout time.Duration // one delivery, also while stopping (within SHUTDOWN_TIMEOUT) [20 s]
	Logger      *slog.Logger  // [slog.Default()]
	Metrics     *Metrics      // optional
}

func (o WorkerOptions) withDefaults() WorkerOptions {
	if o.ID == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		o.ID = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
		if len(o.ID) > 100 {
			o.ID = o.ID[len(o.ID)-100:]
		}
	}
	if o.Batch <= 0 {
		o.Batch = 10
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.FirstRetry <= 0 {
		o.FirstRetry = 5 * time.Second
	}
	if o.MaxRetry <= 0 {
		o.MaxRetry = 15 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 20 * time.Second
	}
	if o.Lease < 2*o.SendTimeout {
		o.Lease = 2 * o.SendTimeout // a live worker never loses a claim mid-send
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Worker drains the outbox through a Sender.
type Worker struct {
	store  *Store
	sender Sender
	opts   WorkerOptions
}

// NewWorker builds a worker; Run starts it.
func NewWorker(store *Store, sender Sender, opts WorkerOptions) *Worker {
	return &Worker{store: store, sender: sender, opts: opts.withDefaults()}
}

// Backoff is the delay before try attempt+1 after attempt failed tries:
// first, doubling each time, at most max, plus up to 10% jitter so that a
// burst of failures does not retry in lockstep.
func Backoff(attempt int, first, max time.Duration) time.Duration {
	d := first
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	if j := int64(d / 10); j > 0 {
		n, _ := rand.Int(rand.Reader, big.NewInt(j))
		d += time.Duration(n.Int64())
	}
	return d
}

// Run delivers mails until ctx ends. On stop, the mail being sent is
// finished and recorded; the rest of its batch is released for any worker.
func (w *Worker) Run(ctx context.Context) {
	defer w.sender.Close()
	w.opts.Logger.Info("mail worker started", "worker", w.opts.ID)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			w.opts.Logger.Info("mail worker stopped", "worker", w.opts.ID)
			return
		case <-timer.C:
		case <-w.store.wake:
		}
		if w.Drain(ctx) == 0 {
			w.sender.Idle()
		}
		timer.Reset(w.opts.Poll)
	}
}

// Drain claims and delivers due mails until none is left (or ctx ends),
// and returns how many it handled.
func (w *Worker) Drain(ctx context.Context) int {
	total := 0
	for ctx.Err() == nil {
		batch, err := w.store.claim(ctx, w.opts.ID, w.opts.Batch, w.opts.Lease)
		if err != nil {
			if ctx.Err() == nil {
				w.opts.Logger.Warn("mail outbox claim failed", "worker", w.opts.ID, "error", err)
			}
			return total
		}
		for i, m := range batch {
			if ctx.Err() != nil {
				w.releaseAll(ctx, batch[i:])
				return total
			}
			w.deliver(ctx, m)
			total++
		}
		if len(batch) < w.opts.Batch {
			return total
		}
	}
	return total
}

// finishing is a context for work that must complete even while stopping.
func finishing(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

func (w *Worker) releaseAll(ctx context.Context, rest []Mail) {
	rctx, cancel := finishing(ctx, 10*time.Second)
	defer cancel()
	for _, m := range rest {
		if _, err := w.store.release(rctx, m, w.opts.ID); err != nil {
			// The lease will hand it to another worker later: not lost.
			w.opts.Logger.Warn("mail release failed", "mail_id", m.ID, "error", err)
		}
	}
}

func (w *Worker) deliver(ctx context.Context, m Mail) {
	log := w.opts.Logger.With("worker", w.opts.ID, "mail_id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
	sctx, cancel := finishing(ctx, w.opts.SendTimeout)
	err := w.sender.Send(sctx, m)
	cancel()
	rctx, rcancel := finishing(ctx, 10*time.Second)
	defer rcancel()
	var (
		held bool
		serr error
	)
	switch {
	case err == nil:
		held, serr = w.store.markSent(rctx, m, w.opts.ID)
		if serr == nil && held {
			w.opts.Metrics.sent()
			log.Debug("mail sent")
		}
	case IsPermanent(err) || m.Attempts >= w.opts.MaxAttempts:
		held, serr = w.store.markFailed(rctx, m, w.opts.ID, err)
		if serr == nil && held {
			w.opts.Metrics.failed()
			log.Error("mail failed for good", "error", err)
		}
	default:
		at := time.Now().Add(Backoff(m.Attempts, w.opts.FirstRetry, w.opts.MaxRetry))
		held, serr = w.store.retryLater(rctx, m, w.opts.ID, at, err)
		if serr == nil && held {
			w.opts.Metrics.retried()
			log.Warn("mail delivery failed, will retry", "error", err, "next_attempt_at", at.UTC())
		}
	}
	if serr != nil {
		// The claim stays until its lease ends; then the mail is tried again.
		log.Error("mail state not recorded", "error", serr, "delivered", err == nil)
	} else if !held {
		log.Warn("mail claim lost to another worker before it was recorded", "delivered", err == nil)
	}
}
