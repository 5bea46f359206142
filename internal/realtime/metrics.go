package realtime

import "github.com/prometheus/client_golang/prometheus"

// metrics of the Socket.IO endpoint, in the app's registry (/metrics).
type metrics struct {
	open     prometheus.Gauge
	total    prometheus.Counter
	refused  *prometheus.CounterVec
	events   prometheus.Counter
	dropped  prometheus.Counter
	received prometheus.Counter
	relisten prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kantuta_realtime_connections", Help: "Socket.IO sockets connected now.",
		}),
		total: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kantuta_realtime_connections_total", Help: "Socket.IO sockets admitted.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kantuta_realtime_refused_total", Help: "Socket.IO connections refused, by reason (origin, no_origin, no_token, bad_token, rate_limited).",
		}, []string{"reason"}),
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kantuta_realtime_events_total", Help: "dataChanged events emitted to the connected sockets (once per event, whatever the number of sockets).",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kantuta_realtime_events_dropped_total", Help: "Events dropped because the emitter's queue was full.",
		}),
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kantuta_realtime_notifications_received_total", Help: "Events received from other replicas through PostgreSQL NOTIFY.",
		}),
		relisten: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kantuta_realtime_listen_reconnects_total", Help: "Times the PostgreSQL LISTEN connection was lost and opened again.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.open, m.total, m.refused, m.events, m.dropped, m.received, m.relisten)
	}
	return m
}

func (m *metrics) connected() {
	m.open.Inc()
	m.total.Inc()
}

func (m *metrics) disconnected() { m.open.Dec() }

// Watch counts a Notifier's reconnects and received events in the
// endpoint's metrics.
func (s *Server) Watch(n *Notifier) {
	n.Reconnects = s.metrics.relisten.Inc
	n.Received = func(k int) { s.metrics.received.Add(float64(k)) }
}
