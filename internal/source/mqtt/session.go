package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/brokerin/topic"
)

// queueSize bounds the messages a session holds between the client and its handler: past it the
// client's router waits, and the broker stops sending once its in-flight window is full.
const queueSize = 256

// session is one persistent MQTT session: one kind's subscription and its handler.
type session struct {
	kind     brokerin.Kind
	clientID string
	template topic.Template
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

func newSession(opts Options, kind brokerin.Kind, tpl topic.Template, tlsConfig *tls.Config, core *brokerin.Source) *session {
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

// maxBatch bounds the queued messages a session takes at once (the broker's in-flight window,
// Mosquitto's max_inflight_messages, 20 by default, usually bounds it first).
const maxBatch = 64

// handle publishes the queued messages and acknowledges each once brokerin says so. It takes what
// is queued at once: the messages of one topic (one business) one after the other, in the order
// they arrived, those of different topics at the same time, so that alarms of many businesses
// share the store's group commits; the acknowledgements leave in the order of arrival.
func (ss *session) handle() {
	defer close(ss.done)
	for {
		var batch []paho.Message
		select {
		case <-ss.closing:
			return
		case m := <-ss.queue:
			batch = append(batch, m)
		}
	take:
		for len(batch) < maxBatch {
			select {
			case m := <-ss.queue:
				batch = append(batch, m)
			default:
				break take
			}
		}
		for i, done := range ss.publishAll(batch) {
			if done {
				batch[i].Ack()
			}
		}
	}
}

// publishAll publishes batch, each topic's messages in order, and says which are done (to be
// acknowledged); a message is not done when the session stops before it is.
func (ss *session) publishAll(batch []paho.Message) []bool {
	done := make([]bool, len(batch))
	if len(batch) == 1 {
		done[0] = ss.publish(batch[0])
		return done
	}
	byTopic := map[string][]int{}
	for i, m := range batch {
		byTopic[m.Topic()] = append(byTopic[m.Topic()], i)
	}
	var wg sync.WaitGroup
	for _, indexes := range byTopic {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range indexes {
				if !ss.publish(batch[i]) {
					return // stopping: this one and the rest of its topic stay unacknowledged
				}
				done[i] = true
			}
		}()
	}
	wg.Wait()
	return done
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
