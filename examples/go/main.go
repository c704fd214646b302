// Command go is an ingest service in Go: it publishes a row-data item and raises an alarm through
// the client package, and prints the server's answers. PULSE_URL is the server (default
// http://127.0.0.1:8000), PULSE_INGEST_KEY its ingest key when auth is on. It exits 1 when the
// server refuses or cannot be reached.
//
//	go run ./examples/go
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pulse-monitoring/pulse/client"
)

func main() {
	if err := run(); err != nil {
		var e *client.Error
		if errors.As(err, &e) {
			fmt.Fprintf(os.Stderr, "pulse refused: HTTP %d, code %d: %s\n", e.Status, e.Code, e.Message)
		} else {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(1)
	}
}

func run() error {
	base := os.Getenv("PULSE_URL")
	if base == "" {
		base = "http://127.0.0.1:8000"
	}
	var opts []client.Option
	if key := os.Getenv("PULSE_INGEST_KEY"); key != "" {
		opts = append(opts, client.WithIngestKey(key))
	}
	c, err := client.New(base, opts...)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	accepted, err := c.SendRowData(ctx, client.BusinessData{
		BusinessType: "example", BusinessId: "go",
		Data: map[string]any{"voltage": 229.8, "current": 4.2},
	})
	if err != nil {
		return err
	}
	fmt.Printf("row data: accepted %d\n", accepted)

	receipts, err := c.SendAlarms(ctx, client.AlarmBusinessData{
		AlarmId: "over-voltage", BusinessType: "example", BusinessId: "go",
		Level: client.LevelCritical, Title: "Over-voltage", Content: "voltage 262 V > 250 V",
		Data: map[string]any{"limit": 250},
	})
	if err != nil {
		return err
	}
	fmt.Printf("alarm: %s stored, seq %d\n", receipts[0].AlarmId, receipts[0].Seq)
	return nil
}
