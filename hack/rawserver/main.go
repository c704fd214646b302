// Command rawserver is the yardstick of make bench: the least a server can do to deliver row data
// to WebSocket subscribers, so that Pulse's fan-out is measured against the cost of its writes.
// It speaks just enough of Pulse's contract for `pulse bench`: the subscriber endpoint
// /ws/rowdata/{businessType}/{businessId}/{userName}, POST /api/v1/rowdata (one item or
// {"items":[...]}) and /healthz with the number of subscribers. A publish builds the frame once
// and writes it to each subscriber's socket in a loop, on the request's goroutine: no queue, no
// writer goroutine, no validation, no limits, no snapshots — and a slow subscriber holds up every
// publish, which is why Pulse cannot be built like this.
//
//	go build -o bin/rawserver ./hack/rawserver && bin/rawserver -addr 127.0.0.1:8001
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8001", "address to listen on")
	flag.Parse()
	s := &server{subs: map[string]map[net.Conn]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws/rowdata/{type}/{id}/{user}", s.subscribe)
	mux.HandleFunc("POST /api/v1/rowdata", s.publish)
	mux.HandleFunc("GET /healthz", s.health)
	log.Printf("rawserver listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

type server struct {
	mu   sync.RWMutex
	subs map[string]map[net.Conn]bool // by "type/id"; "type/*" follows every id of type
	n    int
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// subscribe upgrades and registers the socket; a goroutine reads (and drops) what the client
// sends until it goes away.
func (s *server) subscribe(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	key, conn := r.PathValue("type")+"/"+r.PathValue("id"), ws.NetConn()
	s.mu.Lock()
	if s.subs[key] == nil {
		s.subs[key] = map[net.Conn]bool{}
	}
	s.subs[key][conn] = true
	s.n++
	s.mu.Unlock()
	go func() {
		for {
			if _, _, err := ws.NextReader(); err != nil {
				break
			}
		}
		s.mu.Lock()
		delete(s.subs[key], conn)
		s.n--
		s.mu.Unlock()
		ws.Close()
	}()
}

type item struct {
	BusinessType string          `json:"businessType"`
	BusinessID   string          `json:"businessId"`
	Data         json.RawMessage `json:"data"`
}

// publish writes each item, as Pulse's row-data object, to the subscribers of its key and of its
// type's wildcard.
func (s *server) publish(w http.ResponseWriter, r *http.Request) {
	var body struct {
		item
		Items []json.RawMessage `json:"items"`
	}
	raw, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil {
		http.Error(w, `{"code":51,"message":"bad body"}`, http.StatusBadRequest)
		return
	}
	items := body.Items
	if items == nil {
		items = []json.RawMessage{raw}
	}
	for _, it := range items {
		var one item
		if err := json.Unmarshal(it, &one); err != nil {
			http.Error(w, `{"code":51,"message":"bad item"}`, http.StatusBadRequest)
			return
		}
		frame := textFrame(fmt.Appendf(nil, `{"type":"rowdata","ts":%d,"data":%s}`, time.Now().UnixMilli(), bytes.TrimSpace(it)))
		s.mu.RLock()
		for _, key := range []string{one.BusinessType + "/" + one.BusinessID, one.BusinessType + "/*"} {
			for conn := range s.subs[key] {
				if _, err := conn.Write(frame); err != nil {
					conn.Close() // its reader ends and unregisters it
				}
			}
		}
		s.mu.RUnlock()
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"code":0,"message":"OK","data":{"accepted":%d}}`, len(items))
}

func (s *server) health(w http.ResponseWriter, _ *http.Request) {
	s.mu.RLock()
	n := s.n
	s.mu.RUnlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"code":0,"message":"OK","data":{"status":"ok","connections":{"rowdata":%d,"alarm":0}}}`, n)
}

// textFrame is payload as one unmasked WebSocket text frame, header and all.
func textFrame(payload []byte) []byte {
	var head []byte
	switch n := len(payload); {
	case n < 126:
		head = []byte{0x81, byte(n)}
	case n < 1<<16:
		head = binary.BigEndian.AppendUint16([]byte{0x81, 126}, uint16(n))
	default:
		head = binary.BigEndian.AppendUint64([]byte{0x81, 127}, uint64(n))
	}
	return append(head, payload...)
}
