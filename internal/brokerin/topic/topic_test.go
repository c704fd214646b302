package topic

import "testing"

func TestTemplateFilterAndMatch(t *testing.T) {
	mqtt, err := ParseTemplate("pulse/rowdata/{businessType}/{businessId}", MQTTSeparator)
	if err != nil {
		t.Fatal(err)
	}
	if got := mqtt.Filter("+"); got != "pulse/rowdata/+/+" {
		t.Fatalf("MQTT filter %q", got)
	}
	nats, err := ParseTemplate("pulse.alarm.{businessId}.of.{businessType}", NATSSeparator)
	if err != nil {
		t.Fatal(err)
	}
	if got := nats.Filter("*"); got != "pulse.alarm.*.of.*" {
		t.Fatalf("NATS filter %q", got)
	}
	for _, c := range []struct {
		tpl   Template
		topic string
		want  Values
		ok    bool
	}{
		{mqtt, "pulse/rowdata/meter/m-1", Values{"meter", "m-1", true, true}, true},
		{mqtt, "pulse/rowdata/电表/一号", Values{"电表", "一号", true, true}, true},
		{mqtt, "pulse/rowdata/meter/a.b", Values{"meter", "a.b", true, true}, true},
		{mqtt, "pulse/rowdata/meter", Values{}, false},
		{mqtt, "pulse/rowdata/meter/m-1/x", Values{}, false},
		{mqtt, "pulse/alarm/meter/m-1", Values{}, false},
		{nats, "pulse.alarm.m-1.of.meter", Values{"meter", "m-1", true, true}, true},
		{nats, "pulse.alarm.m-1.to.meter", Values{}, false},
	} {
		got, ok := c.tpl.Match(c.topic)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: Match(%q) = %+v %v; want %+v %v", c.tpl, c.topic, got, ok, c.want, c.ok)
		}
	}
	fixed, err := ParseTemplate("plant/alarms", MQTTSeparator)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := fixed.Match("plant/alarms"); !ok || v.HasType || v.HasID {
		t.Fatalf("a template without placeholders names nothing: %+v %v", v, ok)
	}
}

func TestTemplateRefused(t *testing.T) {
	for _, bad := range []string{"", "a//b", "/a", "a/", "a/+/b", "a/#", "a/*", "a/>",
		"a/{businessType}/{businessType}", "a/{businessId}/{businessId}", "a/x{businessId}", "a/{other}", "a/b c"} {
		if _, err := ParseTemplate(bad, MQTTSeparator); err == nil {
			t.Errorf("ParseTemplate(%q) accepted", bad)
		}
	}
}
