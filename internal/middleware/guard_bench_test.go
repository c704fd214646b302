package middleware_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// BenchmarkHostileInput: what a refusal of a hostile body or query costs, by size. Linear cost
// means ns/op grows with the size, not its square, as it did in GoFrame's own parser on a long
// "aaa…=1".
func BenchmarkHostileInput(b *testing.B) {
	n := pulsenode.Start(b, nil)
	for _, size := range []int{16 << 10, 64 << 10, 256 << 10, 1<<20 - 16} {
		body := []byte(strings.Repeat("a", size) + "=1")
		for _, ct := range []string{"text/plain", "application/json"} {
			b.Run(fmt.Sprintf("body=%s/size=%dK", strings.Split(ct, "/")[1], size>>10), func(b *testing.B) {
				for b.Loop() {
					resp, err := http.Post(n.Base+"/api/v1/rowdata", ct, bytes.NewReader(body))
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode/100 != 4 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
		}
		if size > 64<<10 {
			continue // a URL that long is refused by net/http before Pulse sees it
		}
		url := n.Base + "/api/v1/alarms?" + strings.Repeat("k", size/2) + "=1"
		b.Run(fmt.Sprintf("query/size=%dK", size>>11), func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
