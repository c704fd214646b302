package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
)

// queueSize bounds the messages a session holds between the client and its handler: past it the
// client's router waits, and the broker stops sending once its in-flight window is full.
const queueSize = 256

// session is one persistent MQTT session: one kind's subscription and its handler.
type session struct {
	kind     brokerin.Kind
	clientID string
	template brokerin.Template
	filter   string
	core     *brokerin.Source
	client   paho.Client
	retry    time.Duration
	maxRetry time.Duration

	queue   chan paho.Message
	closing chan struct{} // closed by stop: no more messages are taken
	ctx     context.Context
	cancel  context.CancelFunc // ends the message being handled (stop's deadline)
	done    chan struct{}      // closed when the handler has returned
	once    sync.Once

	mu        sync.Mutex
	connected bool
}

func newSession(opts Options, kind brokerin.Kind, tpl brokerin.Template, tlsConfig *tls.Config, core *brokerin.Source) *session {
	ss := &session{
		kind: kind, clientID: opts.ClientID + "-" + string(kind), template: tpl, core: core,
		filter: tpl.Filter("+"), retry: opts.Retry, maxRetry: opts.MaxRetry,
		queue: make(chan paho.Message, queueSize), closing: make(chan struct{}), done: make(chan struct{}),
	}
	if opts.ShareGroup != "" {
		ss.filter = "$share/" + opts.ShareGroup + "/" + ss.filter
	}
	ss.ctx, ss.cancel = context.WithCancel(context.Background())
	o := paho.NewClientOptions().
		AddBroker(opts.Broker).
		SetClientID(ss.clientID).
		SetUsername(opts.Username).
		SetPassword(opts.Password).
		SetCleanSession(false). // the broker keeps what was not acknowledged for this client id
		SetAutoAckDisabled(true).
		SetOrderMatters(true).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(opts.MaxRetry / 4).
		SetMaxReconnectInterval(opts.MaxRetry).
		SetConnectTimeout(10 * time.Second).
		SetKeepAlive(30 * time.Second).
		SetResumeSubs(true).
		SetDefaultPublishHandler(ss.receive).
		SetOnConnectHandler(ss.subscribe).
		SetConnectionNotificationHandler(ss.notice)
	if t := tlsFor(opts.Broker, tlsConfig); t != nil {
		o.SetTLSConfig(t)
	}
	ss.client = paho.NewClient(o)
	core.Stats().Session(string(kind))
	return ss
}

// start connects (retrying in the background) and starts the handler.
func (ss *session) start() {
	go ss.handle()
	ss.client.Connect() // with ConnectRetry, it keeps trying until it connects or Disconnect
}

// subscribe (re)makes the subscription once connected. Messages the broker kept for the session
// may arrive first: the default handler takes them.
func (ss *session) subscribe(c paho.Client) {
	t := c.Subscribe(ss.filter, 1, nil) // nil: the default handler, receive
	go func() {
		if t.WaitTimeout(30*time.Second) && t.Error() == nil {
			ss.core.Stats().Connected(string(ss.kind), nil) // ready: connected and subscribed
			return
		}
		err := t.Error()
		if err == nil {
			err = errors.New("no SUBACK within 30s")
		}
		ss.core.Warnf("%s: subscribing to %q failed (made again at the next connection): %v", ss.clientID, ss.filter, err)
		ss.core.Stats().Connected(string(ss.kind), err)
	}()
}

// notice follows the connection's state for /readyz, the metrics and the log (one line per
// change). A session counts as connected once its subscription is acknowledged (subscribe).
func (ss *session) notice(_ paho.Client, n paho.ConnectionNotification) {
	var err error
	switch n := n.(type) {
	case paho.ConnectionNotificationConnected:
	case paho.ConnectionNotificationFailed:
		err = n.Reason
	case paho.ConnectionNotificationLost:
		err = n.Reason
		if err == nil {
			err = errors.New("connection lost")
		}
	default:
		return
	}
	if err != nil {
		ss.core.Stats().Connected(string(ss.kind), err)
	}
	ss.mu.Lock()
	changed := ss.connected != (err == nil)
	ss.connected = err == nil
	ss.mu.Unlock()
	if !changed {
		return
	}
	if err == nil {
		ss.core.Infof("%s connected, subscribing to %q", ss.clientID, ss.filter)
	} else {
		ss.core.Warnf("%s not connected (retrying with back-off): %v", ss.clientID, err)
	}
}

// receive is paho's handler: it queues the message for handle, in order.
func (ss *session) receive(_ paho.Client, m paho.Message) {
	select {
	case ss.queue <- m:
	case <-ss.closing: // stopping: left unacknowledged, the broker delivers it again
	}
}

// handle publishes the queued messages one at a time and acknowledges each once brokerin says so.
func (ss *session) handle() {
	defer close(ss.done)
	for {
		select {
		case <-ss.closing:
			return
		case m := <-ss.queue:
			if !ss.publish(m) {
				return
			}
			m.Ack()
		}
	}
}

// publish hands m to brokerin until it is done or refused (true: acknowledge it), retrying with
// back-off while the store or bus cannot take it; false when the session stops first.
func (ss *session) publish(m paho.Message) bool {
	business, ok := ss.template.Match(m.Topic())
	if !ok { // the broker delivered what the filter does not cover: nothing can publish it
		ss.core.Warnf("%s: a message on %q, which %q does not match: acknowledged, not published", ss.clientID, m.Topic(), ss.template)
		return true
	}
	msg := brokerin.Message{Kind: ss.kind, Topic: m.Topic(), Business: business, Payload: m.Payload(), Redelivered: m.Duplicate()}
	pause := ss.retry
	for {
		out := ss.core.Handle(ss.ctx, msg)
		if out.Verdict != brokerin.Retry {
			return true
		}
		msg.Retrying = true
		select {
		case <-ss.closing:
			return false
		case <-time.After(pause):
		}
		pause = min(2*pause, ss.maxRetry)
	}
}

// stop takes no more messages, waits for the one being handled until ctx ends (then cancels it:
// it stays unacknowledged), and disconnects.
func (ss *session) stop(ctx context.Context) {
	ss.once.Do(func() { close(ss.closing) })
	select {
	case <-ss.done:
	case <-ctx.Done():
		ss.cancel()
		<-ss.done
	}
	ss.cancel()
	ss.client.Disconnect(250)
	ss.core.Stats().Connected(string(ss.kind), errors.New("stopped"))
}
