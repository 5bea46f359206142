package realtime_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/testkit"
)

// recorder collects what a bus delivers.
type recorder struct {
	mu   sync.Mutex
	got  []realtime.Event
	more chan struct{}
}

func record(bus *realtime.Bus) (*recorder, func()) {
	r := &recorder{more: make(chan struct{}, 1024)}
	cancel := bus.Subscribe(func(e realtime.Event) {
		r.mu.Lock()
		r.got = append(r.got, e)
		r.mu.Unlock()
		r.more <- struct{}{}
	})
	return r, cancel
}

func (r *recorder) events() []realtime.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]realtime.Event(nil), r.got...)
}

// waitFor waits until n events arrived (or fails after 5 s).
func (r *recorder) waitFor(t *testing.T, n int) []realtime.Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if got := r.events(); len(got) >= n {
			return got
		}
		select {
		case <-r.more:
		case <-deadline:
			t.Fatalf("waited for %d events, got %v", n, r.events())
		}
	}
}

func listening(t *testing.T, pub realtime.Publisher) {
	t.Helper()
	n, ok := pub.(*realtime.Notifier)
	if !ok {
		t.Fatalf("Publisher on PostgreSQL is %T, want *realtime.Notifier", pub)
	}
	select {
	case <-n.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("the replica never listened")
	}
}

func TestChannel(t *testing.T) {
	for _, tc := range []struct{ schema, want string }{
		{"", "kantuta_events"}, {"public", "kantuta_events"}, {"kt_0a1b2c", "kantuta_events_kt_0a1b2c"},
	} {
		if got := realtime.Channel(tc.schema); got != tc.want {
			t.Errorf("Channel(%q) = %q, want %q", tc.schema, got, tc.want)
		}
	}
	long := realtime.Channel(strings.Repeat("s", 63))
	if len(long) > 63 || long == realtime.Channel(strings.Repeat("s", 62)+"t") {
		t.Errorf("long schema names: %q", long)
	}
}

// TestPublisherPerDialect: SQLite publishes through the in-process bus,
// PostgreSQL through NOTIFY; on both, this process's subscribers get the
// events right after the commit (before the write's answer), once.
func TestPublisherPerDialect(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		if _, isBus := app.Events.(*realtime.Bus); isBus == db.IsPostgres() {
			t.Fatalf("%s: Events is %T", db.Dialect, app.Events)
		}
		rec, cancel := record(app.Bus)
		defer cancel()
		publish(t, db, app.Events, false, ev("producto", "stock_bajo"), ev("producto", "stock_bajo"))
		if got := fmt.Sprint(rec.events()); got != "[{producto stock_bajo} {producto stock_bajo}]" {
			t.Fatalf("right after the commit: %s", got)
		}
		if db.IsPostgres() {
			listening(t, app.Events)
			// Its own notification comes back through LISTEN and is not
			// delivered a second time: the next thing seen is a marker
			// published by another replica.
			other := realtime.NewNotifier(db, realtime.NewBus(), nil)
			publish(t, db, other, false, ev("marker", "x"))
			if got := fmt.Sprint(rec.waitFor(t, 3)); got != "[{producto stock_bajo} {producto stock_bajo} {marker x}]" {
				t.Fatalf("own notifications delivered twice: %s", got)
			}
		}
	})
}

// TestReplicasShareEvents: two apps on one PostgreSQL schema are two
// replicas: what one commits reaches the other's subscribers, in order,
// equal events of one transaction included; a rollback reaches nobody; a
// replica on another schema (another deployment) hears nothing.
func TestReplicasShareEvents(t *testing.T) {
	db := testkit.NewPostgres(t)
	if db == nil {
		t.Skip("PostgreSQL not reachable")
	}
	a := testkit.NewApp(t, db)
	b := testkit.NewApp(t, db)
	elsewhere := testkit.NewApp(t, testkit.NewPostgres(t))
	for _, app := range []*testkit.App{a, b, elsewhere} {
		listening(t, app.Events)
	}
	recA, c1 := record(a.Bus)
	defer c1()
	recB, c2 := record(b.Bus)
	defer c2()
	recX, c3 := record(elsewhere.Bus)
	defer c3()

	publish(t, db, a.Events, false, ev("producto", "stock_descontado"), ev("producto", "stock_bajo"), ev("producto", "stock_bajo"))
	publish(t, db, a.Events, false, ev("producto", "stock_bajo"))
	publish(t, db, a.Events, true, ev("venta", "creada"))
	// Order holds within a transaction and per replica; across replicas
	// each one delivers its own events at once and the others' when they
	// arrive, so b publishes once a's have arrived.
	recB.waitFor(t, 4)
	publish(t, db, b.Events, false, ev("venta", "creada"))
	want := "[{producto stock_descontado} {producto stock_bajo} {producto stock_bajo} {producto stock_bajo} {venta creada}]"
	if got := fmt.Sprint(recB.waitFor(t, 5)); got != want {
		t.Fatalf("replica b: %s", got)
	}
	if got := fmt.Sprint(recA.waitFor(t, 5)); got != want {
		t.Fatalf("replica a: %s", got)
	}
	// Nothing more arrives (a rolled-back or duplicated delivery would).
	publish(t, db, elsewhere.Events, false, ev("other", "deployment"))
	if got := fmt.Sprint(recX.waitFor(t, 1)); got != "[{other deployment}]" {
		t.Fatalf("another schema's replica heard: %s", got)
	}
	time.Sleep(300 * time.Millisecond)
	if len(recA.events()) != 5 || len(recB.events()) != 5 {
		t.Fatalf("extra events: a %v, b %v", recA.events(), recB.events())
	}
}

// TestListenReconnects: the LISTEN connection is killed; the replica
// connects again (with backoff) and receives what is published afterwards.
func TestListenReconnects(t *testing.T) {
	db := testkit.NewPostgres(t)
	if db == nil {
		t.Skip("PostgreSQL not reachable")
	}
	a := testkit.NewApp(t, db)
	b := testkit.NewApp(t, db)
	listening(t, a.Events) // both replicas listen: the query below kills both
	listening(t, b.Events)
	channel, err := b.Events.(*realtime.Notifier).Channel(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec, cancel := record(b.Bus)
	defer cancel()
	var killed int
	if err := db.Raw(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = ?`,
		`LISTEN "`+channel+`"`).Scan(&killed).Error; err != nil || killed != 2 {
		t.Fatalf("terminate the LISTEN backends: killed %d, %v", killed, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		publish(t, db, a.Events, false, ev("ping", fmt.Sprint(i)))
		select {
		case <-rec.more:
		case <-time.After(200 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("replica b never heard again after its LISTEN connection died")
			}
			continue
		}
		break
	}
	if !strings.Contains(b.Get("/metrics", "").String(), "kantuta_realtime_listen_reconnects_total 1") {
		t.Error("reconnect not counted in /metrics")
	}
}
