package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/controller/health"
	"github.com/pulse-monitoring/pulse/internal/source/mqtt"
)

// The broker sources (ingest.mqtt, ingest.nats) consume row data and alarms from brokers through
// the ingest service: built with the node, started after the server listens, stopped before the
// alarm store closes, so that what they commit is acknowledged and what they do not stays with
// the broker.

// newBrokers builds the sources cfg turns on.
func (a *App) newBrokers(cfg config.Config) error {
	if m := cfg.Ingest.MQTT; m.Broker != "" {
		core, err := a.brokerCore("mqtt", m.Businesses, cfg.Ingest.MaxBodySize)
		if err != nil {
			return gerror.NewCodef(consts.CodeInvalidInput, "config ingest.mqtt.businesses: %v", err)
		}
		src, err := mqtt.New(mqtt.Options{
			Broker: m.Broker, ClientID: m.ClientID, Username: m.Username, Password: m.Password,
			ShareGroup: m.ShareGroup,
			Topics:     map[brokerin.Kind]string{brokerin.RowData: m.Topics.RowData, brokerin.Alarm: m.Topics.Alarm},
			TLS:        mqtt.TLSFiles{CAFile: m.TLS.CAFile, CertFile: m.TLS.CertFile, KeyFile: m.TLS.KeyFile},
		}, core)
		if err != nil {
			return gerror.NewCodef(consts.CodeInvalidInput, "config ingest.mqtt: %v", err)
		}
		a.Brokers = append(a.Brokers, src)
	}
	if n := cfg.Ingest.NATS; n.URL != "" {
		src, err := a.newNATS(n, cfg.Ingest.MaxBodySize)
		if err != nil {
			return err
		}
		a.Brokers = append(a.Brokers, src)
	}
	return nil
}

// brokerCore is the shared half of a source named name.
func (a *App) brokerCore(name string, businesses []string, maxPayload int64) (*brokerin.Source, error) {
	return brokerin.New(brokerin.Options{
		Name: name, Businesses: businesses, MaxPayload: maxPayload, Ingest: a.Ingest,
		Warn: func(format string, args ...any) { glog.Warningf(context.Background(), format, args...) },
		Info: func(format string, args ...any) { glog.Infof(context.Background(), format, args...) },
	})
}

// watchBrokers shows the sources in the metrics and, as advisory checks, in /readyz: a broker
// that is down is seen there, but the node still serves its dashboards, consoles and HTTP ingest,
// so it stays ready (a load balancer must not take it out for it).
func (a *App) watchBrokers(c *health.ControllerV1) *health.ControllerV1 {
	if len(a.Brokers) == 0 {
		return c
	}
	a.Metrics.WatchBrokers(func() []brokerin.Snapshot {
		out := make([]brokerin.Snapshot, len(a.Brokers))
		for i, b := range a.Brokers {
			out[i] = b.Stats().Snapshot()
		}
		return out
	})
	for _, b := range a.Brokers {
		c = health.Advise(c, b.Name(), b.Stats().Ready)
	}
	return c
}

// startBrokers starts every source; none waits for its broker.
func (a *App) startBrokers() error {
	for i, b := range a.Brokers {
		if err := b.Start(context.Background()); err != nil {
			_ = a.stopBrokers(context.Background(), a.Brokers[:i])
			return fmt.Errorf("%s: %w", b.Name(), err)
		}
	}
	return nil
}

// stopBrokers stops the sources by the end of ctx.
func (a *App) stopBrokers(ctx context.Context, brokers []brokerin.Runner) error {
	errs := make([]error, len(brokers))
	done := make(chan struct{})
	for i, b := range brokers {
		go func() { errs[i] = b.Stop(ctx); done <- struct{}{} }()
	}
	for range brokers {
		<-done
	}
	return errors.Join(errs...)
}
