package mail

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the outbox's Prometheus series: depth by state (read from
// the database at each scrape, so it is the same on every replica), and
// this process's sent, failed and retried counts.
type Metrics struct {
	sentTotal, failedTotal, retriedTotal prometheus.Counter
}

// NewMetrics registers the outbox series on reg.
func NewMetrics(reg prometheus.Registerer, store *Store) *Metrics {
	m := &Metrics{
		sentTotal:    prometheus.NewCounter(prometheus.CounterOpts{Name: "kantuta_mail_sent_total", Help: "Mails delivered by this process."}),
		failedTotal:  prometheus.NewCounter(prometheus.CounterOpts{Name: "kantuta_mail_failed_total", Help: "Mails given up on by this process."}),
		retriedTotal: prometheus.NewCounter(prometheus.CounterOpts{Name: "kantuta_mail_retries_total", Help: "Failed delivery attempts scheduled for a retry by this process."}),
	}
	reg.MustRegister(m.sentTotal, m.failedTotal, m.retriedTotal, depthCollector{store})
	return m
}

func (m *Metrics) sent() {
	if m != nil {
		m.sentTotal.Inc()
	}
}

func (m *Metrics) failed() {
	if m != nil {
		m.failedTotal.Inc()
	}
}

func (m *Metrics) retried() {
	if m != nil {
		m.retriedTotal.Inc()
	}
}

var depthDesc = prometheus.NewDesc("kantuta_mail_outbox_depth", "Mails in the outbox by state (queued, sending, failed).", []string{"status"}, nil)

type depthCollector struct{ store *Store }

func (depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc }

func (c depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depth, err := c.store.Depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(depthDesc, err)
		return
	}
	for status, n := range depth {
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n), status)
	}
}
