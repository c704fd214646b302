package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/pulse-monitoring/pulse/internal/brokerin/topic"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// MQTT is ingest.mqtt: the MQTT broker Pulse consumes row data and alarms from; off while Broker
// is "".
type MQTT struct {
	Broker     string     `json:"broker"`     // tcp://host:1883, ssl://host:8883, ws://..., wss://...; "" = off
	ClientID   string     `json:"clientId"`   // stable per node: the sessions are <clientId>-rowdata and <clientId>-alarm
	Username   string     `json:"username"`   //
	Password   string     `json:"password"`   // or passwordFile
	ShareGroup string     `json:"shareGroup"` // "" = each node gets every message; else $share/<group>/<topic>
	Topics     MQTTTopics `json:"topics"`
	Businesses []string   `json:"businesses"` // patterns the broker may publish, as an ingest key's
	TLS        BrokerTLS  `json:"tls"`
}

// MQTTTopics are the topic templates of ingest.mqtt.topics.
type MQTTTopics struct {
	RowData string `json:"rowdata"`
	Alarm   string `json:"alarm"`
}

// BrokerTLS is the TLS of a broker connection: the CA that signed the broker's certificate (the
// system's when empty) and a client certificate, when the broker asks for one.
type BrokerTLS struct {
	CAFile   string `json:"caFile"`
	CertFile string `json:"certFile"`
	KeyFile  string `json:"keyFile"`
}

// DefaultMQTT is ingest.mqtt's defaults: off.
func DefaultMQTT() MQTT {
	return MQTT{
		ClientID:   "pulse",
		Topics:     MQTTTopics{RowData: "pulse/rowdata/{businessType}/{businessId}", Alarm: "pulse/alarm/{businessType}/{businessId}"},
		Businesses: []string{model.Wildcard},
	}
}

// mqttFields binds the keys of ingest.mqtt. The password may be given in a file (passwordFile).
func (c *Config) mqttFields(report *Report) map[string]field {
	m := &c.Ingest.MQTT
	return withSecretFiles(map[string]field{
		"broker":     text(&m.Broker),
		"clientId":   text(&m.ClientID),
		"username":   text(&m.Username),
		"password":   text(&m.Password),
		"shareGroup": text(&m.ShareGroup),
		"topics": section(report, "ingest.mqtt.topics", map[string]field{
			"rowdata": text(&m.Topics.RowData),
			"alarm":   text(&m.Topics.Alarm),
		}),
		"businesses": scopePatterns(&m.Businesses),
		"tls":        section(report, "ingest.mqtt.tls", brokerTLSFields(&m.TLS)),
	}, "password")
}

// brokerTLSFields binds the keys of a broker's tls section.
func brokerTLSFields(t *BrokerTLS) map[string]field {
	return map[string]field{"caFile": text(&t.CAFile), "certFile": text(&t.CertFile), "keyFile": text(&t.KeyFile)}
}

// scopePatterns reads a non-empty list of business patterns ("meter/*", "pump/p-7", "*"): an
// ingest key's or a broker source's businesses.
func scopePatterns(dst *[]string) field {
	return func(raw any) error {
		patterns, err := stringList(raw)
		if err == nil && len(patterns) == 0 {
			err = errors.New("is empty")
		}
		if err != nil {
			return fmt.Errorf("%v: it must list business patterns such as \"meter/*\", \"pump/p-7\" or \"*\"", err)
		}
		for i, p := range patterns {
			if _, err := model.ParsePattern(p); err != nil {
				return keyError{fmt.Sprintf("[%d]", i), fmt.Errorf("%q is not a business pattern: %v", p, err)}
			}
		}
		*dst = patterns
		return nil
	}
}

// checkMQTT reports the first value of ingest.mqtt that cannot work (nothing while it is off).
func checkMQTT(m MQTT) error {
	if m.Broker == "" {
		return nil
	}
	u, err := url.Parse(m.Broker)
	switch {
	case err != nil || u.Host == "":
		return invalid("ingest.mqtt.broker", "%q is not a broker URL such as tcp://host:1883 or ssl://host:8883", m.Broker)
	case !map[string]bool{"tcp": true, "mqtt": true, "ssl": true, "tls": true, "mqtts": true, "ws": true, "wss": true}[u.Scheme]:
		return invalid("ingest.mqtt.broker", "scheme %q: it must be tcp, ssl, ws or wss", u.Scheme)
	case u.User != nil:
		return invalid("ingest.mqtt.broker", "holds a user: give it in ingest.mqtt.username and password (or passwordFile), which the log never shows")
	case m.ClientID == "":
		return invalid("ingest.mqtt.clientId", "must not be empty: it names the node's persistent sessions")
	case len(m.ClientID) > 100 || strings.ContainsAny(m.ClientID, "/+#\x00") || strings.TrimSpace(m.ClientID) != m.ClientID:
		return invalid("ingest.mqtt.clientId", "%q: at most 100 bytes, without / + # or surrounding spaces", m.ClientID)
	case strings.ContainsAny(m.ShareGroup, "/+#") || strings.TrimSpace(m.ShareGroup) != m.ShareGroup:
		return invalid("ingest.mqtt.shareGroup", "%q: a share name holds no / + # nor surrounding spaces", m.ShareGroup)
	case (m.TLS.CertFile == "") != (m.TLS.KeyFile == ""):
		return invalid("ingest.mqtt.tls", "certFile and keyFile go together (the client certificate and its key)")
	}
	for key, t := range map[string]string{"rowdata": m.Topics.RowData, "alarm": m.Topics.Alarm} {
		if _, err := topic.ParseTemplate(t, topic.MQTTSeparator); err != nil {
			return invalid("ingest.mqtt.topics."+key, "%v", err)
		}
	}
	if m.Topics.RowData == m.Topics.Alarm {
		return invalid("ingest.mqtt.topics", "rowdata and alarm are the same topic: each kind needs its own")
	}
	for i, p := range m.Businesses {
		if _, err := model.ParsePattern(p); err != nil {
			return invalid(fmt.Sprintf("ingest.mqtt.businesses[%d]", i), "%q is not a business pattern: %v", p, err)
		}
	}
	return nil
}
