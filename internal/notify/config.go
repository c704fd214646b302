package notify

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/pulse-monitoring/pulse/internal/silence"
)

// Config is the "notify" section: where notifications go (outlets), which alarms go where
// (routes), and how long the dispatcher keeps trying. internal/config reads it strictly; Check
// refuses what cannot work (an unknown outlet in a route, a duplicate name).
type Config struct {
	PublicURL       string        `json:"publicUrl"`       // base of ack links; links are off without it
	LinkKeys        []string      `json:"linkKeys"`        // base64, 32+ bytes each; the first signs, all verify
	AckLinkTTL      time.Duration `json:"ackLinkTTL"`      // how long an ack link works
	RetryFor        time.Duration `json:"retryFor"`        // how long a notification is retried before it fails
	OutletDownAfter time.Duration `json:"outletDownAfter"` // an outlet failing this long raises pulse/notify
	Retention       time.Duration `json:"retention"`       // notification records older than this are purged
	// Lease is how long a node holds a notification it sends: a node that dies holding one, another
	// sends it this long after (with the same id). A send is given up at two thirds of it.
	Lease time.Duration `json:"lease"`
	// MaxSilences and MaxSilencesPerCreator bound the silences in force (silence.Limits).
	MaxSilences           int `json:"maxSilences"`
	MaxSilencesPerCreator int `json:"maxSilencesPerCreator"`
	// DeviceTTL is how long a registered device receives pushes after its last registration.
	DeviceTTL time.Duration  `json:"deviceTTL"`
	Outlets   []OutletConfig `json:"outlets"`
	Routes    []Route        `json:"routes"`
}

// OutletConfig is one entry of notify.outlets. Which fields an outlet reads depends on its type;
// its constructor refuses a missing or meaningless one. Secrets given as <key>File in the YAML are
// already read into their fields.
type OutletConfig struct {
	Name string `json:"name"` // unique; routes name outlets by it
	Type string `json:"type"` // webhook | email | slack | dingtalk | feishu | wecom | fcm | apns | webpush

	URL     string   `json:"url"`     // webhook and chat robots
	Secrets []string `json:"secrets"` // webhook: Standard Webhooks secrets "whsec_<base64>"; the first signs, all are sent
	Secret  string   `json:"secret"`  // chat robots' signing secret (DingTalk "SEC...", Feishu), optional
	Rate    float64  `json:"rate"`    // notifications per second to this outlet; 0 = unlimited

	SMTP     string   `json:"smtp"` // email: smtp://host:587 (STARTTLS) or smtps://host:465
	Username string   `json:"username"`
	Password string   `json:"password"` // or passwordFile
	From     string   `json:"from"`
	To       []string `json:"to"`
	Insecure bool     `json:"insecure"` // email: allow smtp:// without STARTTLS (a local relay)

	Endpoint        string `json:"endpoint"`        // push outlets: the push service's base URL ("" = the real service)
	CAFile          string `json:"caFile"`          // push outlets: PEM certificates to trust for endpoint ("" = the system's)
	CredentialsFile string `json:"credentialsFile"` // fcm: the service-account JSON file (project id, key, token_uri)
	KeyFile         string `json:"keyFile"`         // apns: the .p8 token-signing key
	KeyID           string `json:"keyId"`           // apns: the key's id (kid)
	TeamID          string `json:"teamId"`          // apns: the developer team id (iss)
	Topic           string `json:"topic"`           // apns: the app's bundle id

	VAPIDPublicKey     string   `json:"vapidPublicKey"`  // webpush: base64url P-256 point (`pulse vapid`)
	VAPIDPrivateKey    string   `json:"vapidPrivateKey"` // webpush: base64url private key, or vapidPrivateKeyFile
	Subject            string   `json:"subject"`         // webpush: mailto: or https: contact for push services
	EndpointHosts      []string `json:"endpointHosts"`   // webpush: allowed endpoint hosts ("*.push.apple.com"); empty = any
	AllowHTTPEndpoints bool     `json:"allowHttpEndpoints"`
}

// Route sends the alarms it matches to its outlets. The first route that matches an alarm takes
// it, unless it says Continue: then the next routes are tried too.
type Route struct {
	Name           string        `json:"name"` // timers in the store refer to it: renaming a route drops its timers
	Match          Match         `json:"match"`
	To             []string      `json:"to"`             // outlet names
	GroupBy        []string      `json:"groupBy"`        // alarm fields: businessType, businessId, level, alarmId
	GroupWait      time.Duration `json:"groupWait"`      // alarms of one group within it leave in one notification
	RepeatInterval time.Duration `json:"repeatInterval"` // reminder while active and unacknowledged; 0 = none
	Resolved       bool          `json:"resolved"`       // notify when the alarm is cleared
	Escalate       []Step        `json:"escalate"`
	Continue       bool          `json:"continue"`
}

// Match selects alarms: every field given must match (AND); values of one field any (OR). An
// empty field matches everything.
type Match struct {
	Levels     []string `json:"levels"`
	Businesses []string `json:"businesses"` // patterns: "*", "T/*", "T/I"
}

// Step is one escalation step: After the alarm's raise, unless acknowledged (or cleared), its
// outlets are notified too.
type Step struct {
	Name  string        `json:"name"` // unique within the route; timers refer to it
	After time.Duration `json:"after"`
	To    []string      `json:"to"`
}

// GroupByFields are the alarm fields a route may group by.
var GroupByFields = []string{"businessType", "businessId", "level", "alarmId"}

// Defaults of the notify section.
const (
	DefaultAckLinkTTL      = 24 * time.Hour
	DefaultRetryFor        = 24 * time.Hour
	DefaultOutletDownAfter = 10 * time.Minute
	DefaultRetention       = 7 * 24 * time.Hour
	DefaultLease           = 30 * time.Second
	DefaultDeviceTTL       = 30 * 24 * time.Hour
)

// DefaultConfig is the section when absent: no outlets, no routes, nothing notified.
func DefaultConfig() Config {
	return Config{
		AckLinkTTL:      DefaultAckLinkTTL,
		RetryFor:        DefaultRetryFor,
		OutletDownAfter: DefaultOutletDownAfter,
		Retention:       DefaultRetention,
		Lease:           DefaultLease,
		DeviceTTL:       DefaultDeviceTTL,

		MaxSilences:           silence.DefaultMaxSilences,
		MaxSilencesPerCreator: silence.DefaultMaxSilencesPerCreator,
	}
}

// OutletFactory builds an outlet of one type from its configuration, refusing what cannot work
// (a missing URL, a bad secret, a template that does not parse) with a message that names the
// key (without the outlet's name or path, which the caller adds) and never a secret.
type OutletFactory func(cfg OutletConfig) (Outlet, error)

var (
	factoriesMu sync.RWMutex
	factories   = map[string]OutletFactory{}
)

// RegisterOutletType makes NewOutlet build outlets of type typ with f. Each outlet type registers
// itself from an init function, so that the dispatcher needs no list of them.
func RegisterOutletType(typ string, f OutletFactory) {
	factoriesMu.Lock()
	defer factoriesMu.Unlock()
	if _, dup := factories[typ]; dup {
		panic("notify: outlet type " + typ + " registered twice")
	}
	factories[typ] = f
}

// OutletTypes lists the registered outlet types, sorted.
func OutletTypes() []string {
	factoriesMu.RLock()
	defer factoriesMu.RUnlock()
	out := make([]string, 0, len(factories))
	for t := range factories {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// NewOutlet builds the outlet cfg describes.
func NewOutlet(cfg OutletConfig) (Outlet, error) {
	factoriesMu.RLock()
	f, ok := factories[cfg.Type]
	factoriesMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("type %q is not an outlet type: it must be one of %v", cfg.Type, OutletTypes())
	}
	return f(cfg)
}
