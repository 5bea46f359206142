package realtime

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
)

// DefaultChannel is the NOTIFY channel of a deployment in the public schema.
const DefaultChannel = "kantuta_events"

// Channel names the NOTIFY channel of the deployment whose tables live in
// schema. NOTIFY channels are database-wide, so two deployments (or two
// tests) sharing one database in different schemas must not hear each
// other: every schema but public gets a channel of its own. Identifiers are
// at most 63 bytes; longer schema names are hashed.
func Channel(schema string) string {
	if schema == "" || schema == "public" {
		return DefaultChannel
	}
	name := DefaultChannel + "_" + schema
	if len(name) > 63 {
		sum := sha256.Sum256([]byte(schema))
		name = DefaultChannel + "_" + hex.EncodeToString(sum[:12])
	}
	return name
}

// notification is the NOTIFY payload. Origin says which process sent it
// (it already delivered the events itself, after its commit); Seq makes
// every payload distinct, because PostgreSQL folds identical notifications
// of one transaction into one and two equal Publish calls must both arrive.
type notification struct {
	Origin string  `json:"o"`
	Seq    uint64  `json:"n"`
	Events []Event `json:"e"`
}

// Notifier is the Publisher of a PostgreSQL deployment: Publish queues
// pg_notify inside the writer's transaction (PostgreSQL delivers it at
// commit, never after a rollback) and delivers the events to this process's
// bus after the commit; Listen holds the one LISTEN connection of the
// replica and feeds the bus with what the other replicas publish.
type Notifier struct {
	db     *database.DB
	bus    *Bus
	logger *slog.Logger
	origin string
	seq    atomic.Uint64

	mu      sync.Mutex
	channel string

	listening chan struct{} // closed once the first LISTEN succeeded
	once      sync.Once

	// Reconnects counts LISTEN connections lost and retried; Received counts
	// events that arrived from other replicas.
	Reconnects func()
	Received   func(n int)
}

// NewNotifier returns the PostgreSQL publisher delivering into bus.
func NewNotifier(db *database.DB, bus *Bus, logger *slog.Logger) *Notifier {
	if logger == nil {
		logger = slog.Default()
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Notifier{
		db: db, bus: bus, logger: logger, origin: hex.EncodeToString(b),
		listening: make(chan struct{}), Reconnects: func() {}, Received: func(int) {},
	}
}

// NewPublisher is the Publisher for db: the in-process bus on SQLite (one
// process owns the file), the NOTIFY fan-out on PostgreSQL. The second
// result, when not nil, must run for the app's lifetime (the LISTEN loop).
func NewPublisher(db *database.DB, bus *Bus, logger *slog.Logger) (Publisher, *Notifier) {
	if db == nil || !db.IsPostgres() {
		return bus, nil
	}
	n := NewNotifier(db, bus, logger)
	return n, n
}

// Channel is the NOTIFY channel, derived once from the connection's schema.
func (n *Notifier) Channel(ctx context.Context) (string, error) {
	return n.channelVia(n.db.SQL.QueryRowContext(ctx, "SELECT current_schema()"))
}

// channelVia reads the schema from row (always consumed) unless the channel
// is known; the lock is not held during the query.
func (n *Notifier) channelVia(row *sql.Row) (string, error) {
	var schema sql.NullString
	err := row.Scan(&schema)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.channel != "" {
		return n.channel, nil
	}
	if err != nil {
		return "", fmt.Errorf("realtime: current schema: %w", err)
	}
	n.channel = Channel(schema.String)
	return n.channel, nil
}

// Publish sends events to every replica once tx commits: here through the
// bus after the commit, elsewhere through the notification.
func (n *Notifier) Publish(tx *gorm.DB, events ...Event) error {
	q, args, err := n.PublishSQL(tx, events...)
	if err != nil || q == "" {
		return err
	}
	if err := tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("realtime: notify: %w", err)
	}
	return nil
}

// PublishSQL is Publish for a writer that runs the notification within a
// statement of its own (a venta: with its aggregates, one round trip less):
// it answers the query that queues it (PostgreSQL delivers it at the
// commit, or drops it with a rollback), which the writer must run in tx,
// and schedules this replica's delivery after the commit.
func (n *Notifier) PublishSQL(tx *gorm.DB, events ...Event) (string, []any, error) {
	if len(events) == 0 {
		return "", nil, nil
	}
	evs := append([]Event(nil), events...)
	n.mu.Lock()
	channel := n.channel
	n.mu.Unlock()
	if channel == "" {
		// Asked through the writer's own connection: a busy pool cannot
		// make the first Publish wait for another connection.
		var err error
		if channel, err = n.channelVia(tx.Raw("SELECT current_schema()").Row()); err != nil {
			return "", nil, err
		}
	}
	payload, err := json.Marshal(notification{Origin: n.origin, Seq: n.seq.Add(1), Events: evs})
	if err != nil {
		return "", nil, err
	}
	if len(payload) >= 8000 {
		return "", nil, errors.New("realtime: too many events for one notification")
	}
	database.AfterCommit(tx, func() { n.bus.Emit(evs...) })
	return "SELECT pg_notify(?, ?)", []any{channel, string(payload)}, nil
}

// Listening is closed once the replica listens: events published from then
// on reach it.
func (n *Notifier) Listening() <-chan struct{} { return n.listening }

// Listen holds the LISTEN connection until ctx ends, reconnecting with a
// growing pause (100 ms up to 10 s) when it is lost. Events published while
// it is down are not replayed: clients reload on their next event or page.
func (n *Notifier) Listen(ctx context.Context) {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		started := time.Now()
		err := n.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		n.Reconnects()
		if time.Since(started) > time.Minute {
			pause = 100 * time.Millisecond
		}
		n.logger.Warn("realtime: LISTEN connection lost, reconnecting", "error", err, "retry_in", pause.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(pause*2, 10*time.Second)
	}
}

func (n *Notifier) listenOnce(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	channel, err := n.Channel(cctx)
	if err != nil {
		cancel()
		return err
	}
	cfg, err := n.connConfig(cctx)
	if err != nil {
		cancel()
		return err
	}
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		cancel()
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(cctx, "LISTEN "+pgx.Identifier{channel}.Sanitize())
	cancel()
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	n.once.Do(func() { close(n.listening) })
	n.logger.Info("realtime: listening", "channel", channel)
	for {
		note, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if note == nil {
			continue
		}
		n.deliver(note.Payload)
	}
}

// deliver emits what another replica published; this process's own
// notifications were delivered after its commit already.
func (n *Notifier) deliver(payload string) {
	var msg notification
	if err := json.Unmarshal([]byte(payload), &msg); err != nil {
		n.logger.Warn("realtime: ignoring a malformed notification", "error", err)
		return
	}
	if msg.Origin == n.origin {
		return
	}
	evs := msg.Events[:0]
	for _, e := range msg.Events {
		if validName(e.Entity) && validName(e.Action) {
			evs = append(evs, e)
		}
	}
	n.Received(len(evs))
	n.bus.Emit(evs...)
}

// connConfig is the configuration of the pool's connections (URL, search
// path, credentials), read from one of them, so that the LISTEN connection
// reaches the same database as the writers without a second copy of the
// settings.
func (n *Notifier) connConfig(ctx context.Context) (*pgx.ConnConfig, error) {
	c, err := n.db.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("borrow a connection: %w", err)
	}
	defer c.Close()
	var cfg *pgx.ConnConfig
	err = c.Raw(func(driverConn any) error {
		sc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", driverConn)
		}
		cfg = sc.Conn().Config().Copy()
		// The copy still points at the pool connection's notification
		// buffer; the LISTEN connection must buffer its own.
		cfg.OnNotification = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// validName reports whether s is a plain lower-case identifier: what an
// entity or action may be on the wire.
func validName(s string) bool {
	return s != "" && len(s) <= 64 && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) < 0
}
