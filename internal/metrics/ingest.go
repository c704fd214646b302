package metrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/middleware"
)

// noKey is the key label of an ingest request that presented no known key (auth off, or a
// missing or unknown key).
const noKey = "none"

func newIngestRequests() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pulse_ingest_requests_total",
		Help: `Ingest requests (POST /api/v1/rowdata, /api/v1/alarm) by endpoint, HTTP status and the configured name of the ingest key presented ("none": auth off, or no known key).`,
	}, []string{"endpoint", "status", "key"})
}

// ingestEndpoints are the counted paths and their endpoint label.
var ingestEndpoints = map[string]string{"/api/v1/rowdata": "rowdata", "/api/v1/alarm": "alarm"}

// ServeIngest runs next for r and, when r is an ingest POST, counts it by its answer's status and
// its ingest key's name (which the credential check records in the request's ingestkey.Note).
func (m *Metrics) ServeIngest(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	endpoint, ok := ingestEndpoints[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		next(w, r)
		return
	}
	ctx, note := ingestkey.WithNote(r.Context())
	rec := &middleware.StatusRecorder{ResponseWriter: w}
	next(rec, r.WithContext(ctx))
	key := note.Name
	if key == "" {
		key = noKey
	}
	m.ingest.WithLabelValues(endpoint, strconv.Itoa(rec.Status()), key).Inc()
}
