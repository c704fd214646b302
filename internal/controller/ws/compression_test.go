package ws_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestCompression: with ws.compression a dashboard that offers permessage-deflate gets it, and its
// row data whole; a compressed message that inflates past ws.maxMessageSize is closed with 1009.
// Without the key nothing is negotiated.
func TestCompression(t *testing.T) {
	dial := func(n *pulsenode.Node, path string) (*websocket.Conn, string) {
		t.Helper()
		d := websocket.Dialer{EnableCompression: true}
		ws, resp, err := d.Dial("ws"+strings.TrimPrefix(n.Base, "http")+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		return ws, resp.Header.Get("Sec-WebSocket-Extensions")
	}

	plain := pulsenode.Start(t, nil)
	if _, ext := dial(plain, pulsenode.RowPath("meter", "m-1", "u")); ext != "" {
		t.Fatalf("negotiated %q without ws.compression", ext)
	}

	n := pulsenode.Start(t, func(c *config.Config) { c.WS.Compression = true })
	ws, ext := dial(n, pulsenode.RowPath("meter", "m-1", "u"))
	if !strings.Contains(ext, "permessage-deflate") {
		t.Fatalf("ws.compression: negotiated %q", ext)
	}
	n.WaitConnections(1, 0)
	pad := strings.Repeat("voltage ", 500)
	n.MustPost("/api/v1/rowdata", `{"items":[{"businessType":"meter","businessId":"m-1","data":{"n":"1"}},{"businessType":"meter","businessId":"m-1","data":{"n":"2","pad":"`+pad+`"}}]}`)
	for want := 1; want <= 2; {
		_ = ws.SetReadDeadline(time.Now().Add(pulsenode.Patience))
		_, frame, err := ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(frame), "\n") {
			var o struct {
				Data struct {
					Data struct{ N, Pad string } `json:"data"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(line), &o); err != nil {
				t.Fatalf("not an object: %.80q", line)
			}
			if o.Data.Data.N != string(rune('0'+want)) || (want == 2 && o.Data.Data.Pad != pad) {
				t.Fatalf("item %d: %.80s", want, line)
			}
			want++
		}
	}

	ws.EnableWriteCompression(true)
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","pad":"`+strings.Repeat(" ", 1<<20)+`"}`)); err != nil {
		t.Fatal(err)
	}
	for {
		_ = ws.SetReadDeadline(time.Now().Add(pulsenode.Patience))
		if _, _, err := ws.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Fatalf("a compression bomb: %v, want close 1009", err)
			}
			break
		}
	}
}
