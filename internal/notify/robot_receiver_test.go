package notify

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// robotReceiver is a local HTTP server that stands for a chat platform: check verifies a request
// as the platform's documentation says it must be and answers as the platform would.
type robotReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any // the JSON bodies that passed check
	fails  []string         // why requests failed check
}

func startRobot(t *testing.T, check func(r *http.Request, body map[string]any) (status int, answer string, why string)) *robotReceiver {
	t.Helper()
	rr := &robotReceiver{}
	rr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		why := ""
		switch {
		case r.Method != http.MethodPost:
			why = "method " + r.Method
		case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
			why = "Content-Type " + r.Header.Get("Content-Type")
		case json.Unmarshal(raw, &body) != nil:
			why = "body is not a JSON object: " + string(raw)
		}
		status, answer := http.StatusBadRequest, `{"errcode":400,"errmsg":"bad request"}`
		if why == "" {
			status, answer, why = check(r, body)
		}
		rr.mu.Lock()
		if why == "" {
			rr.bodies = append(rr.bodies, body)
		} else {
			rr.fails = append(rr.fails, why)
		}
		rr.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(rr.Close)
	return rr
}

func (rr *robotReceiver) got() ([]map[string]any, []string) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return append([]map[string]any(nil), rr.bodies...), append([]string(nil), rr.fails...)
}

// dig reads a nested value of a decoded JSON body: dig(b, "markdown", "text").
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func digString(v any, path ...any) string {
	s, _ := dig(v, path...).(string)
	return s
}

// wantSendError checks that err is a *SendError of the kind wanted whose text shows the
// receiver's scheme and host and none of the secrets.
func wantSendError(t *testing.T, err error, where string, permanent bool, secrets ...string) *SendError {
	t.Helper()
	var se *SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a *SendError", err, err)
	}
	if se.Permanent != permanent {
		t.Fatalf("%v: permanent %v, want %v", se, se.Permanent, permanent)
	}
	if se.Where != where {
		t.Fatalf("%v: where %q, want %q", se, se.Where, where)
	}
	for _, s := range secrets {
		if strings.Contains(se.Error(), s) || strings.Contains(se.Reason, s) {
			t.Fatalf("the error %q shows a secret %q", se.Error(), s)
		}
	}
	return se
}
