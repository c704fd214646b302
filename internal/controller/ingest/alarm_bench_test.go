package ingest_test

import (
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// BenchmarkAlarmIngest posts one alarm per request from 64 concurrent posters to a real node with
// its SQLite store in a temporary folder. Every 200 means the alarm was committed; alarms/s is
// what the group commit sustains.
//
//	go test -run xxx -bench AlarmIngest -benchtime 20000x ./internal/controller/ingest/
func BenchmarkAlarmIngest(b *testing.B) {
	pulsenode.PostAlarms(b, pulsenode.Start(b, nil), 5000, nil)
}
