// Package realtime tells connected frontends that data changed: writers
// publish {entity, action} events inside their transaction, and every
// client on every replica receives them after the commit, never before and
// never for a rolled-back write (SPEC §14.6).
package realtime

import (
	"sync"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
)

// Event is the payload of the Socket.IO "dataChanged" event, exactly
// {"entity":"…","action":"…"}: no data, clients reload what they show.
type Event struct {
	Entity string `json:"entity"`
	Action string `json:"action"`
}

// Publisher is what writing domains are given. Publish is called inside the
// write's transaction (a *gorm.DB from database.DB.Tx); the events are
// delivered in the order given, after the commit only.
type Publisher interface {
	Publish(tx *gorm.DB, events ...Event) error
}

// Bus delivers events to this process's subscribers after the commit. It is
// the in-process fan-out; the PostgreSQL LISTEN/NOTIFY fan-out across
// replicas and the Socket.IO endpoint subscribe to or feed it.
type Bus struct {
	mu   sync.RWMutex
	next int
	subs map[int]func(Event)
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[int]func(Event){}} }

// Publish schedules events for delivery once tx commits.
func (b *Bus) Publish(tx *gorm.DB, events ...Event) error {
	if len(events) == 0 {
		return nil
	}
	evs := append([]Event(nil), events...)
	database.AfterCommit(tx, func() { b.Emit(evs...) })
	return nil
}

// Emit delivers events to every subscriber now, in order.
func (b *Bus) Emit(events ...Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, e := range events {
		for _, f := range b.subs {
			f(e)
		}
	}
}

// Subscribe calls f for every event until cancel is called. f must not
// block: it runs on the writer's goroutine.
func (b *Bus) Subscribe(f func(Event)) (cancel func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	b.subs[id] = f
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}
