package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// subscribedTimeout bounds the wait for the servers to register every subscriber.
const subscribedTimeout = 30 * time.Second

// rowDataConnections sums the row-data connections the servers at addrs report on /healthz.
func rowDataConnections(ctx context.Context, client *http.Client, addrs []string) (int, error) {
	total := 0
	for _, addr := range addrs {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, fmt.Errorf("GET /healthz of %s: %w", addr, err)
		}
		var body struct {
			Code int `json:"code"`
			Data struct {
				Connections map[string]int `json:"connections"`
			} `json:"data"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || body.Code != 0 {
			return 0, fmt.Errorf("GET /healthz of %s: HTTP %d, not a Pulse health answer (%v)", addr, resp.StatusCode, err)
		}
		total += body.Data.Connections["rowdata"]
	}
	return total, nil
}

// waitSubscribed polls the servers until together they hold at least n row-data connections.
func waitSubscribed(ctx context.Context, client *http.Client, addrs []string, n int) error {
	deadline := time.Now().Add(subscribedTimeout)
	for {
		got, err := rowDataConnections(ctx, client, addrs)
		if err != nil {
			return err
		}
		if got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the servers registered only %d of %d subscribers within %v", got, n, subscribedTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
