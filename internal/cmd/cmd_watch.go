package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/gcmd"
	"github.com/gorilla/websocket"
)

// Watch is `pulse watch rowdata|alarms`: a WebSocket client in the shell, for newcomers and
// operators. It prints what a client receives, one JSON object per line on stdout (a frame of
// several objects is split); what it is doing and why it stopped go to stderr.
var Watch = gcmd.Command{
	Name: "watch",
	Usage: "pulse watch rowdata TYPE/ID [--addr host:port] [--token T] [--user U]\n" +
		"    pulse watch alarms [--since N] [--addr host:port] [--token T]",
	Brief: "follow row data or alarms over WebSocket and print each object received, one JSON per line",
	Description: "Connects as a dashboard (/ws/rowdata/TYPE/ID/USER) or an alarm console (/ws/alarm) would " +
		"and prints every object the server sends, one JSON object per line on stdout, until Ctrl-C (exit 0). " +
		"Status and errors go to stderr; a refused connection (its HTTP status, code and message) or a close " +
		"by the server (its close code and reason) ends it with exit status 1.",
	Examples: "pulse watch rowdata meter/m-1\n" +
		"pulse watch rowdata 'meter/*' --token \"$(pulse token --sub alice --rowdata 'meter/*')\"\n" +
		"pulse watch alarms --since 0 | jq -c 'select(.type==\"alarm\") | .data.title'",
}

// WatchRowData is `pulse watch rowdata TYPE/ID`.
var WatchRowData = gcmd.Command{
	Name:  "rowdata",
	Usage: "pulse watch rowdata TYPE/ID [--addr host:port] [--token T] [--user U]",
	Brief: "follow the row data of one business (TYPE/ID) or of every id of a type (TYPE/*)",
	Description: "The first objects are the snapshot (\"snapshot\":true), then live data. With auth on, " +
		"--user must be the token's sub: it is by default.",
	Examples:  "pulse watch rowdata meter/m-1\npulse watch rowdata 'meter/*' --addr pulse.example:8000 --token \"$TOKEN\"",
	Strict:    true,
	Arguments: append([]gcmd.Argument{{Name: "business", IsArg: true, Brief: "TYPE/ID or TYPE/*"}}, append(watchArguments, userArgument)...),
	Func: func(ctx context.Context, p *gcmd.Parser) error {
		business := p.GetArg(3).String()
		typ, id, ok := strings.Cut(business, "/")
		if !ok || typ == "" || id == "" {
			return fmt.Errorf("watch rowdata: give the business as TYPE/ID or TYPE/* (e.g. pulse watch rowdata meter/m-1), got %q", business)
		}
		token := watchToken(p)
		user := p.GetOpt("user").String()
		if user == "" {
			user = tokenSubject(token, "watch")
		}
		path := "/ws/rowdata/" + url.PathEscape(typ) + "/" + url.PathEscape(id) + "/" + url.PathEscape(user)
		return watch(ctx, watchAddr(ctx, p), path, token, os.Stdout, os.Stderr)
	},
}

// WatchAlarms is `pulse watch alarms`.
var WatchAlarms = gcmd.Command{
	Name:  "alarms",
	Usage: "pulse watch alarms [--since N] [--addr host:port] [--token T]",
	Brief: "follow alarm events as a console does: the current alarms (or every event after --since), synced, then live events",
	Description: "Without --since the first objects are the latest event of every alarm that is not cleared; " +
		"with --since N every event whose seq is above N (0: the whole history retention keeps). Then " +
		"{\"type\":\"synced\",\"seq\":L} and live events.",
	Examples:  "pulse watch alarms\npulse watch alarms --since 0",
	Strict:    true,
	Arguments: append([]gcmd.Argument{{Name: "since", Brief: "the seq of the last event already seen: replay every event after it"}}, watchArguments...),
	Func: func(ctx context.Context, p *gcmd.Parser) error {
		path := "/ws/alarm"
		if since := p.GetOpt("since"); since != nil {
			path += "?" + url.Values{"since": {since.String()}}.Encode() // the server says what it accepts
		}
		return watch(ctx, watchAddr(ctx, p), path, watchToken(p), os.Stdout, os.Stderr)
	},
}

var watchArguments = []gcmd.Argument{
	{Name: "addr", Brief: "the server, host:port (default: server.address of the configuration, on 127.0.0.1; else 127.0.0.1:8000)"},
	{Name: "token", Brief: "with auth on: a user's token, sent as Authorization: Bearer (default $PULSE_TOKEN)"},
}

var userArgument = gcmd.Argument{Name: "user", Brief: "the userName of the path (default: the token's sub, else watch)"}

func init() {
	if err := Watch.AddCommand(&WatchRowData, &WatchAlarms); err != nil {
		panic(err)
	}
	if err := Main.AddCommand(&Watch); err != nil {
		panic(err)
	}
}

// watchAddr is --addr, else the configured server.address as a client reaches it from this
// machine (":8000" and "0.0.0.0:8000" listen on every interface: 127.0.0.1:8000 is one of them).
func watchAddr(ctx context.Context, p *gcmd.Parser) string {
	if addr := p.GetOpt("addr").String(); addr != "" {
		return addr
	}
	configured := "127.0.0.1:8000"
	if v, err := g.Cfg().Get(ctx, "server.address"); err == nil && !v.IsEmpty() {
		configured = v.String()
	}
	return clientAddr(configured)
}

// clientAddr turns a listen address into one a client on this machine can dial.
func clientAddr(listen string) string {
	listen, _, _ = strings.Cut(listen, ",") // GoFrame allows several
	host, port, err := net.SplitHostPort(strings.TrimSpace(listen))
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func watchToken(p *gcmd.Parser) string {
	if t := p.GetOpt("token").String(); t != "" {
		return t
	}
	return os.Getenv("PULSE_TOKEN")
}

// tokenSubject is the sub claim of a JWT, read without verifying it (the server verifies), or def.
func tokenSubject(token, def string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return def
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return def
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Sub == "" {
		return def
	}
	return claims.Sub
}

// watch connects to ws://addr+path and copies every object received to out, one per line, until
// the context is done or SIGINT/SIGTERM (nil: the user stopped it) or the connection ends (an
// error that says how).
func watch(ctx context.Context, addr, path, token string, out, status io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	target := "ws://" + addr + path
	header := http.Header{}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	ws, resp, err := dialer.DialContext(ctx, target, header)
	if err != nil {
		err = refusal(target, resp, err)
		if token == "" && resp != nil && resp.StatusCode == http.StatusUnauthorized {
			err = fmt.Errorf("%w (pulse watch: --token or $PULSE_TOKEN)", err)
		}
		return err
	}
	defer ws.Close()
	fmt.Fprintf(status, "pulse watch: connected to %s (Ctrl-C to stop)\n", target)

	done := make(chan struct{})
	defer close(done)
	go func() { // Ctrl-C: a clean close, which ends ReadMessage below
		select {
		case <-ctx.Done():
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			_ = ws.SetReadDeadline(time.Now().Add(2 * time.Second))
		case <-done:
		}
	}()
	w := bufio.NewWriter(out)
	for {
		_, frame, err := ws.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return fmt.Errorf("watch: the server closed the connection: %d %s", ce.Code, ce.Text)
			}
			return fmt.Errorf("watch: connection lost: %v", err)
		}
		for _, line := range bytes.Split(frame, []byte{'\n'}) {
			if len(line) > 0 {
				w.Write(line)
				w.WriteByte('\n')
			}
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("watch: writing the output: %w", err)
		}
	}
}

// refusal says why the upgrade failed: the server's HTTP status and {code, message}, or the
// network error.
func refusal(target string, resp *http.Response, err error) error {
	if resp == nil {
		return fmt.Errorf("watch: cannot connect to %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var answer struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &answer) == nil && answer.Message != "" {
		return fmt.Errorf("watch: %s refused: HTTP %d, code %d: %s", target, resp.StatusCode, answer.Code, answer.Message)
	}
	return fmt.Errorf("watch: %s refused: HTTP %s %s", target, resp.Status, strings.TrimSpace(string(body)))
}
