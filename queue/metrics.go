package queue

import (
	"time"

	"github.com/labelbridge/labelbridge"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are what an IT team watching many packing stations alerts on:
// outcomes, backlog, printer state, and how long rendering and sending take.
// A nil *metrics records nothing.
type metrics struct {
	jobs   *prometheus.CounterVec
	docs   *prometheus.CounterVec
	bytes  *prometheus.CounterVec
	render *prometheus.HistogramVec
	send   *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer, q *Queue) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "labelbridge_jobs_total",
			Help: "Jobs finished, by printer and outcome (done, failed, cancelled)."}, []string{"printer", "outcome"}),
		docs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "labelbridge_documents_total",
			Help: "Documents finished, by printer and outcome (sent, printed, failed)."}, []string{"printer", "outcome"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "labelbridge_bytes_sent_total",
			Help: "Bytes written to printers."}, []string{"printer"}),
		render: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "labelbridge_render_seconds",
			Help: "Time to render one document.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"printer"}),
		send: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "labelbridge_send_seconds",
			Help:    "Time to write one document to its printer, waits for an unreachable printer included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16)}, []string{"printer"}),
	}
	reg.MustRegister(m.jobs, m.docs, m.bytes, m.render, m.send, &backlogCollector{q: q})
	return m
}

// observe counts outcomes from events once they are committed, so a
// transaction retried in a split batch is counted once.
func (m *metrics) observe(events []labelbridge.Event) {
	if m == nil {
		return
	}
	for _, ev := range events {
		switch ev.Type {
		case labelbridge.EventJob:
			if labelbridge.JobState(ev.State).Final() {
				m.jobs.WithLabelValues(ev.Printer, ev.State).Inc()
			}
		case labelbridge.EventDocument:
			m.docs.WithLabelValues(ev.Printer, ev.State).Inc()
		}
	}
}

func (m *metrics) sent(printer string, n int, d time.Duration) {
	if m != nil {
		m.bytes.WithLabelValues(printer).Add(float64(n))
		m.send.WithLabelValues(printer).Observe(d.Seconds())
	}
}

func (m *metrics) rendered(printer string, d time.Duration) {
	if m != nil {
		m.render.WithLabelValues(printer).Observe(d.Seconds())
	}
}

// backlogCollector reads queue depth, the oldest job's wait and printer
// state when scraped, so nothing has to keep them up to date.
type backlogCollector struct{ q *Queue }

var (
	depthDesc  = prometheus.NewDesc("labelbridge_queue_depth", "Jobs queued or printing, by printer.", []string{"printer"}, nil)
	oldestDesc = prometheus.NewDesc("labelbridge_oldest_job_wait_seconds",
		"How long the oldest unfinished job of each printer has waited since it was accepted.", []string{"printer"}, nil)
	stateDesc = prometheus.NewDesc("labelbridge_printer_state",
		"1 for the printer's current state (ready, busy, fault, offline, unknown), 0 for the others.", []string{"printer", "state"}, nil)
)

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- depthDesc
	ch <- oldestDesc
	ch <- stateDesc
}

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.q.cfg.Now()
	for name, w := range c.q.workers {
		depth, oldest := w.backlog()
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(depth), name)
		wait := 0.0
		if !oldest.IsZero() {
			wait = now.Sub(oldest).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, wait, name)
		st := w.status().State
		for _, s := range []string{"ready", "busy", "fault", "offline", "unknown"} {
			v := 0.0
			if s == st {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(stateDesc, prometheus.GaugeValue, v, name, s)
		}
	}
}
