package connbudget_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/connbudget"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// serve runs an http.Server on a listener wrapped in b whose handler marks each request's
// connection served and answers "ok"; it returns the address.
func serve(t *testing.T, b *connbudget.Budget) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		connbudget.Served(r)
		_, _ = io.WriteString(w, "ok")
	})}
	go func() { _ = srv.Serve(b.Wrap(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// get sends one request on c and reads the answer's status line.
func get(c net.Conn) (string, error) {
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return "", err
	}
	_ = c.SetReadDeadline(time.Now().Add(poll.Patience))
	return bufio.NewReader(c).ReadString('\n')
}

// TestServedConnectionsStay: at the limit the oldest connection without a request is closed,
// not an older one that was served (keep-alive), and not the new one; once every held connection
// was served, new connections are closed at once and counted.
func TestServedConnectionsStay(t *testing.T) {
	b := connbudget.New(3)
	addr := serve(t, b)
	dial := func() net.Conn {
		c, err := net.DialTimeout("tcp", addr, poll.Patience)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	served := dial()
	if line, err := get(served); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("first request: %q %v", line, err)
	}
	idle1, idle2 := dial(), dial()
	poll.Eventually(t, func() bool { return b.Stats().Held == 3 }, "3 held: %+v", b.Stats())
	fresh := dial() // closes idle1
	if line, err := get(fresh); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("the new connection at the limit: %q %v", line, err)
	}
	if _, err := get(idle1); err == nil {
		t.Fatal("the oldest idle connection was not closed")
	}
	if line, err := get(served); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("the served connection, older than the idle ones, was closed: %q %v", line, err)
	}
	if line, err := get(idle2); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("idle2, now served: %q %v", line, err)
	}
	if _, err := get(dial()); err == nil {
		t.Fatal("a new connection was answered with every held one served")
	}
	s := b.Stats()
	if s.Held != 3 || s.ClosedIdle != 1 || s.ClosedFull != 1 {
		t.Fatalf("stats %+v, want 3 held, 1 closed idle, 1 closed full", s)
	}
	_ = served.Close()
	poll.Eventually(t, func() bool { return b.Stats().Held == 2 }, "2 held: %+v", b.Stats())
	if line, err := get(dial()); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("a new connection once one ended: %q %v", line, err)
	}
}

// TestChurnCountsEveryConnectionOnce: many clients that connect, maybe send a request, and go
// away, with the server closing some of them to make room, leave nothing counted.
func TestChurnCountsEveryConnectionOnce(t *testing.T) {
	b := connbudget.New(8)
	addr := serve(t, b)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				c, err := net.DialTimeout("tcp", addr, poll.Patience)
				if err != nil {
					t.Error(err)
					return
				}
				if (i+j)%3 == 0 {
					_, _ = get(c)
				}
				_ = c.Close()
			}
		}()
	}
	wg.Wait()
	poll.Eventually(t, func() bool { return b.Stats().Held == 0 }, "nothing held once every client left: %+v", b.Stats())
	if s := b.Stats(); s.AcceptErrors != 0 {
		t.Fatalf("accept errors: %+v", s)
	}
}
