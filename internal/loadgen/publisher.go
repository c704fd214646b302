package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// sendersPerAddr is how many POSTs may be in flight to one server address at once: enough that a
// busy server answering slowly does not hold the publisher below its target rate (the load stays
// open-loop: rate × answer time must stay below this).
const sendersPerAddr = 32

// batch is the items of one POST: key and per-key sequence number of each.
type batch struct {
	step *stepState
	keys []int32
	seqs []uint64
}

// publisher paces items onto the ingest API. One pacer (the caller of run) numbers the items of
// every key in order and hands batches round-robin to a few sender goroutines per address, which
// stamp, encode and POST them over kept-alive connections.
type publisher struct {
	keys    int
	payload int
	client  *http.Client
	key     string        // ingest key sent as a bearer token; "" sends none
	queues  []chan *batch // one per address
	nextSeq []uint64      // per key; only the pacer (and the coordinator between steps) touches it
	rng     *rand.Rand
	flight  sync.WaitGroup
	senders sync.WaitGroup
}

func newPublisher(addrs []string, keys, payload int, ingestKey string) *publisher {
	p := &publisher{
		keys:    keys,
		payload: payload,
		key:     ingestKey,
		client: &http.Client{
			Timeout: 10 * time.Second,
			Transport: &http.Transport{
				Proxy:               nil,
				MaxIdleConnsPerHost: sendersPerAddr,
				IdleConnTimeout:     time.Minute,
				DisableCompression:  true,
			},
		},
		nextSeq: make([]uint64, keys),
		rng:     rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
	for _, addr := range addrs {
		q := make(chan *batch, 64)
		p.queues = append(p.queues, q)
		url := "http://" + addr + "/api/v1/rowdata"
		for range sendersPerAddr {
			p.senders.Add(1)
			go p.send(url, q)
		}
	}
	return p
}

// close stops the senders once every queued batch is sent.
func (p *publisher) close() {
	for _, q := range p.queues {
		close(q)
	}
	p.senders.Wait()
	p.client.CloseIdleConnections()
}

// run publishes round(rate×d) items to uniformly random keys at rate items per second, batchSize
// items per POST at most, and returns once every POST has been answered.
func (p *publisher) run(ctx context.Context, st *stepState, rate float64, d time.Duration, batchSize int) error {
	defer p.flight.Wait()
	total := int64(math.Round(rate * d.Seconds()))
	interval := max(time.Millisecond, time.Duration(float64(batchSize)/rate*float64(time.Second)))
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	start := time.Now()
	var sent int64
	next := 0
	for sent < total {
		due := min(total, int64(rate*time.Since(start).Seconds())+1)
		for sent < due {
			n := int(min(int64(batchSize), due-sent))
			b := &batch{step: st, keys: make([]int32, n), seqs: make([]uint64, n)}
			for i := range n {
				k := p.rng.IntN(p.keys)
				b.keys[i], b.seqs[i] = int32(k), p.nextSeq[k]
				p.nextSeq[k]++
			}
			p.flight.Add(1)
			select {
			case p.queues[next] <- b:
			case <-ctx.Done():
				p.flight.Done()
				return ctx.Err()
			}
			next = (next + 1) % len(p.queues)
			sent += int64(n)
		}
		if sent == total {
			break
		}
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// send POSTs the batches of one queue to url.
func (p *publisher) send(url string, q <-chan *batch) {
	defer p.senders.Done()
	var body []byte
	for b := range q {
		body = p.encode(body[:0], b, time.Now().UnixNano())
		p.post(url, body, b)
		p.flight.Done()
	}
}

// encode writes b as {"items":[...]}, every item stamped t.
func (p *publisher) encode(body []byte, b *batch, t int64) []byte {
	body = append(body, `{"items":[`...)
	for i, k := range b.keys {
		if i > 0 {
			body = append(body, ',')
		}
		body = appendItem(body, int(k), b.seqs[i], t, p.payload)
	}
	return append(body, `]}`...)
}

// post sends one batch and counts its items as accepted or failed.
func (p *publisher) post(url string, body []byte, b *batch) {
	st := b.step
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		st.fail(len(b.keys), fmt.Sprintf("POST %s: %v", url, err))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if p.key != "" {
		req.Header.Set("Authorization", "Bearer "+p.key)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		st.fail(len(b.keys), fmt.Sprintf("POST %s: %v", url, err))
		return
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`"code":0`)) {
		st.fail(len(b.keys), fmt.Sprintf("POST %s: HTTP %d %s", url, resp.StatusCode, bytes.TrimSpace(answer)))
		return
	}
	for _, k := range b.keys {
		st.accepted[k].Add(1)
	}
	st.published.Add(int64(len(b.keys)))
	st.posts.Add(1)
}
