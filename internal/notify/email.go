package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	htmltemplate "html/template"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	mail "github.com/wneessen/go-mail"
)

// The email outlet sends each notification to each address of `to` on its own (one target per
// address, retried on its own), through an SMTP relay: smtp://host[:587] with STARTTLS required
// (the certificate verified) unless `insecure: true`, or smtps://host[:465] with TLS from the
// first byte. It authenticates when `username` is set, with the best mechanism the relay offers
// over TLS. The mail is multipart/alternative, text and HTML, with the subject "[LEVEL]
// business: title (what happened)", an Acknowledge link per alarm when ack links are on, a
// Message-ID made of the notification's id (the same on every retry, so a mailbox can
// deduplicate) and Auto-Submitted: auto-generated (RFC 3834), so that no vacation reply answers.
func init() {
	RegisterOutletType("email", func(cfg OutletConfig) (Outlet, error) { return newEmail(cfg, nil) })
}

type emailOutlet struct {
	name       string
	host       string
	port       int
	implicit   bool // smtps://
	insecure   bool
	username   string
	password   string
	from       string
	fromDomain string
	to         []string
	roots      *x509.CertPool // nil: the system's roots
	where      string
	text       *texttemplate.Template
	html       *htmltemplate.Template
}

// emailTimeout bounds one connection's dial and each SMTP command when the caller's context has
// no sooner deadline.
const emailTimeout = 30 * time.Second

// newEmail builds an email outlet; roots, when not nil, are the CAs its relay's certificate must
// chain to (a private CA; the tests' own).
func newEmail(cfg OutletConfig, roots *x509.CertPool) (*emailOutlet, error) {
	o := &emailOutlet{name: cfg.Name, insecure: cfg.Insecure, username: cfg.Username, password: cfg.Password, roots: roots}
	if cfg.SMTP == "" {
		return nil, errors.New("smtp is required: smtp://host:587 or smtps://host:465")
	}
	u, err := url.Parse(cfg.SMTP)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("smtp must be smtp://host[:port] or smtps://host[:port]")
	}
	if u.User != nil {
		return nil, errors.New("smtp: give the credentials as username and password (or passwordFile), not in the URL")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, errors.New("smtp must be smtp://host[:port] or smtps://host[:port], without a path or query")
	}
	switch u.Scheme {
	case "smtp":
		o.port = 587
	case "smtps":
		o.implicit, o.port = true, 465
		if cfg.Insecure {
			return nil, errors.New("insecure: smtps:// is always TLS; insecure applies to smtp:// only")
		}
	default:
		return nil, errors.New("smtp must be smtp://host[:port] (STARTTLS) or smtps://host[:port] (TLS)")
	}
	o.host = u.Hostname()
	if p := u.Port(); p != "" {
		if o.port, err = strconv.Atoi(p); err != nil || o.port < 1 || o.port > 65535 {
			return nil, errors.New("smtp: the port must be 1 to 65535")
		}
	}
	o.where = u.Scheme + "://" + u.Host

	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("from must be an address such as \"Pulse <pulse@example.com>\": %v", err)
	}
	o.from = from.String()
	o.fromDomain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	if len(cfg.To) == 0 {
		return nil, errors.New("to must list at least one address")
	}
	for _, t := range cfg.To {
		a, err := netmail.ParseAddress(t)
		if err != nil {
			return nil, fmt.Errorf("to: %q is not an address: %v", t, err)
		}
		if slices.Contains(o.to, a.Address) {
			return nil, fmt.Errorf("to: %s is listed twice", a.Address)
		}
		o.to = append(o.to, a.Address)
	}

	if o.text, err = texttemplate.New("text").Parse(emailTextTemplate); err != nil {
		return nil, fmt.Errorf("text template: %v", err)
	}
	if o.html, err = htmltemplate.New("html").Parse(emailHTMLTemplate); err != nil {
		return nil, fmt.Errorf("html template: %v", err)
	}
	if _, _, _, err := o.render(sampleNotification()); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *emailOutlet) Name() string      { return o.name }
func (o *emailOutlet) Type() string      { return "email" }
func (o *emailOutlet) Targets() []string { return slices.Clone(o.to) }

// render gives the subject and the text and HTML parts of n.
func (o *emailOutlet) render(n Notification) (subject, text, html string, err error) {
	data := newMessage(n)
	var t, h strings.Builder
	if err := o.text.Execute(&t, data); err != nil {
		return "", "", "", fmt.Errorf("text template: %v", err)
	}
	if err := o.html.Execute(&h, data); err != nil {
		return "", "", "", fmt.Errorf("html template: %v", err)
	}
	return data.Headline(), t.String(), h.String(), nil
}

// Send mails n to target, one of the outlet's addresses, over a connection of its own.
func (o *emailOutlet) Send(ctx context.Context, target string, n Notification) error {
	if !slices.Contains(o.to, target) {
		return &SendError{Where: o.where, Reason: "not an address of this outlet", Permanent: true}
	}
	subject, text, html, err := o.render(n)
	if err != nil {
		return &SendError{Where: o.where, Reason: err.Error(), Permanent: true}
	}
	m := mail.NewMsg()
	if err := m.From(o.from); err != nil {
		return &SendError{Where: o.where, Reason: "bad from address", Permanent: true}
	}
	if err := m.To(target); err != nil {
		return &SendError{Where: o.where, Reason: "bad address", Permanent: true}
	}
	m.Subject(subject)
	m.SetMessageIDWithValue(n.ID + "@" + o.fromDomain)
	if !n.Timestamp.IsZero() {
		m.SetDateWithValue(n.Timestamp)
	} else {
		m.SetDate()
	}
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, text)
	m.AddAlternativeString(mail.TypeTextHTML, html)

	c, err := mail.NewClient(o.host, o.clientOptions()...)
	if err != nil {
		return &SendError{Where: o.where, Reason: shortText(err.Error()), Permanent: true}
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return o.sendError(err)
	}
	return nil
}

func (o *emailOutlet) clientOptions() []mail.Option {
	opts := []mail.Option{
		mail.WithPort(o.port),
		mail.WithTimeout(emailTimeout),
		mail.WithTLSConfig(&tls.Config{ServerName: o.host, RootCAs: o.roots, MinVersion: tls.VersionTLS12}),
	}
	switch {
	case o.implicit:
		opts = append(opts, mail.WithSSL())
	case o.insecure:
		// A local relay without TLS; STARTTLS (with a verified certificate) still when offered.
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if o.username != "" {
		// Mechanisms are chosen among those the relay offers; PLAIN and LOGIN only over TLS.
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(o.username), mail.WithPassword(o.password))
	}
	return opts
}

// sendError turns what go-mail says into a *SendError: the relay's reply code when it gave one,
// permanent for 5xx (a refused address, a refused login), retried for 4xx and when nothing
// answered.
func (o *emailOutlet) sendError(err error) *SendError {
	e := &SendError{Where: o.where}
	var tp *textproto.Error
	var se *mail.SendError
	switch {
	case errors.As(err, &tp):
		e.Status, e.Reason = tp.Code, shortText(fmt.Sprintf("%d %s", tp.Code, tp.Msg))
	case errors.As(err, &se) && se.ErrorCode() != 0:
		e.Status, e.Reason = se.ErrorCode(), shortText(se.Error())
	default:
		e.Reason = shortText(err.Error())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		e.Reason = "timed out"
	}
	e.Permanent = e.Status >= 500 && e.Status < 600
	return e
}

// The mail's parts. They are the outlet's own (not the operator's), parsed and tried on a sample
// when the outlet is built, so that a mistake in them refuses the configuration.
const emailTextTemplate = `{{.Headline}}
{{range .Alarms}}
{{.Level | printf "%-8s"}} {{.Business}} · {{.Title}}
{{if .Content}}         {{.Content}}
{{end}}         alarm {{.AlarmID}} · {{.Status}} · raised {{.Count}}× · last {{.Time}}{{if .AckedBy}} · acknowledged by {{.AckedBy}}{{end}}
{{if .AckURL}}         {{.AckLabel}}: {{.AckURL}}
{{end}}{{end}}{{if .More}}
… and {{.More}} more alarms
{{end}}
--
Pulse{{if .Route}} · route {{.Route}}{{end}}{{if .Step}} · step {{.Step}}{{end}}{{if .Time}} · {{.Time}}{{end}}
`

const emailHTMLTemplate = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Headline}}</title></head>
<body style="font-family:sans-serif;font-size:14px;color:#212121">
<h2 style="border-left:6px solid {{.Color}};padding-left:8px">{{.Headline}}</h2>
{{range .Alarms}}<table style="border-collapse:collapse;margin:12px 0;width:100%;max-width:640px">
<tr><td style="padding:4px 8px;font-weight:bold;text-transform:uppercase">{{.Level}}</td><td style="padding:4px 8px"><b>{{.Business}}</b> · {{.Title}}</td></tr>
{{if .Content}}<tr><td></td><td style="padding:4px 8px">{{.Content}}</td></tr>
{{end}}<tr><td></td><td style="padding:4px 8px;color:#616161">alarm {{.AlarmID}} · {{.Status}} · raised {{.Count}}× · last {{.Time}}{{if .AckedBy}} · acknowledged by {{.AckedBy}}{{end}}</td></tr>
{{if .AckURL}}<tr><td></td><td style="padding:8px"><a href="{{.AckURL}}" style="background:#1976d2;color:#fff;padding:6px 14px;text-decoration:none;border-radius:4px">{{.AckLabel}}</a></td></tr>
{{end}}</table>
{{end}}{{if .More}}<p>… and {{.More}} more alarms</p>
{{end}}<p style="color:#9e9e9e;font-size:12px">Pulse{{if .Route}} · route {{.Route}}{{end}}{{if .Step}} · step {{.Step}}{{end}}{{if .Time}} · {{.Time}}{{end}}</p>
</body></html>
`
