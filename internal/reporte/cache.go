package reporte

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kantuta/kantuta/internal/realtime"
)

// Events is where the dashboard cache learns that data changed: the
// after-commit event bus (realtime.Bus), which on PostgreSQL also carries
// the other replicas' events.
type Events interface {
	Subscribe(func(realtime.Event)) (cancel func())
}

// dashCache keeps the two parts of the dashboard that grow with the data
// (the year's bars and top products, the month's top-ups by operator) until
// a write that changes them is announced, or TTL passes (a safety net for
// writes no event announces: another process's `reportes rebuild`, SQL by
// hand). Today's KPIs are always read: they are cheap and change most.
type dashCache struct {
	ttl   time.Duration
	now   func() time.Time
	sales atomic.Int64 // generation: bumped by venta and producto events
	topup atomic.Int64 // generation: bumped by recarga events

	mu    sync.Mutex
	years map[int]yearEntry
	month map[string]monthEntry // by today's key (the month to date)
}

type yearEntry struct {
	gen   int64
	at    time.Time
	meses []MesTotal
	top   []TopProducto
}

type monthEntry struct {
	gen  int64
	at   time.Time
	dist []ProveedorTotal
}

func newDashCache(ttl time.Duration, events Events) *dashCache {
	c := &dashCache{ttl: ttl, now: time.Now, years: map[int]yearEntry{}, month: map[string]monthEntry{}}
	if events != nil {
		// Runs on the writer's goroutine after its commit: only counters.
		events.Subscribe(func(e realtime.Event) {
			switch e.Entity {
			case "venta", "producto", "product":
				c.sales.Add(1)
			case "recarga":
				c.topup.Add(1)
			}
		})
	}
	return c
}

func (c *dashCache) fresh(gen, cur int64, at time.Time) bool {
	return gen == cur && c.now().Sub(at) < c.ttl
}

// dashboard answers from the cache where it can, computing the rest.
func (c *dashCache) dashboard(ctx context.Context, s *Store, anio int, today Day) (Dashboard, error) {
	var out Dashboard
	var err error
	if out.Kpis, err = s.Kpis(ctx, today); err != nil {
		return out, err
	}
	// The generation is read before computing: a write that lands during
	// the computation leaves the entry already stale.
	gen := c.sales.Load()
	c.mu.Lock()
	y, ok := c.years[anio]
	c.mu.Unlock()
	if ok && c.fresh(y.gen, gen, y.at) {
		out.VentasMensuales, out.TopProductos = y.meses, y.top
	} else {
		at := c.now()
		if out.VentasMensuales, out.TopProductos, err = s.Year(ctx, anio); err != nil {
			return out, err
		}
		c.mu.Lock()
		if len(c.years) > 200 { // anio is bounded (2000–2100); keep it small anyway
			c.years = map[int]yearEntry{}
		}
		c.years[anio] = yearEntry{gen: gen, at: at, meses: out.VentasMensuales, top: out.TopProductos}
		c.mu.Unlock()
	}
	gen = c.topup.Load()
	c.mu.Lock()
	m, ok := c.month[today.Key]
	c.mu.Unlock()
	if ok && c.fresh(m.gen, gen, m.at) {
		out.RecargasDistribucion = m.dist
		return out, nil
	}
	at := c.now()
	if out.RecargasDistribucion, err = s.Distribucion(ctx, today); err != nil {
		return out, err
	}
	c.mu.Lock()
	c.month = map[string]monthEntry{today.Key: {gen: gen, at: at, dist: out.RecargasDistribucion}}
	c.mu.Unlock()
	return out, nil
}
