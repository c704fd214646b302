package ws

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// TestParseSince: since is absent, or once and an integer >= 0; the query around it decodes.
func TestParseSince(t *testing.T) {
	for _, tc := range []struct {
		raw    string
		since  int64
		resume bool
		err    string // part of the error; "" for none
	}{
		{"", 0, false, ""},
		{"other=1", 0, false, ""},
		{"since=0", 0, true, ""},
		{"since=42", 42, true, ""},
		{"since=9223372036854775807", 1<<63 - 1, true, ""},
		{"since=%34%32", 42, true, ""},
		{"since=%zz", 0, false, "query: invalid URL escape"},
		{"since=1&x=%zz", 0, false, "query: invalid URL escape"},
		{"since=%", 0, false, "query: invalid URL escape"},
		{"since=1;x=2", 0, false, "query: invalid semicolon"},
		{"since=", 0, false, "integer >= 0"},
		{"since", 0, false, "integer >= 0"},
		{"since=-1", 0, false, "integer >= 0"},
		{"since=1.5", 0, false, "integer >= 0"},
		{"since=0x10", 0, false, "integer >= 0"},
		{"since=9223372036854775808", 0, false, "integer >= 0"},
		{"since=%201", 0, false, "integer >= 0"},
		{"since=1&since=2", 0, false, "give it once"},
	} {
		since, resume, err := parseSinceQuery(tc.raw)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.raw, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one saying %q", tc.raw, err, tc.err)
		case since != tc.since || resume != tc.resume:
			t.Errorf("%q: since %d resume %v, want %d %v", tc.raw, since, resume, tc.since, tc.resume)
		}
	}
}

// parseSinceQuery is what the door does with /ws/alarm's raw query.
func parseSinceQuery(raw string) (int64, bool, error) {
	q, err := parseQuery(raw)
	if err != nil {
		return 0, false, err
	}
	return parseSince(q)
}

// FuzzParseSince: any query is refused with an error or gives a since that the query holds.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"", "since=0", "since=42", "since=%zz", "since=1;x", "since=-1", "since=+7",
		"since=1&since=2", "a=b&since=%30", "since=99999999999999999999", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		since, resume, err := parseSinceQuery(raw)
		if err != nil {
			if since != 0 || resume {
				t.Fatalf("%q: an error with since %d resume %v", raw, since, resume)
			}
			return
		}
		q, qerr := url.ParseQuery(raw)
		if qerr != nil {
			t.Fatalf("%q accepted, but url.ParseQuery refuses it: %v", raw, qerr)
		}
		v, ok := q["since"]
		if resume != ok {
			t.Fatalf("%q: resume %v with since given %v", raw, resume, ok)
		}
		if !resume {
			return
		}
		n, perr := strconv.ParseInt(v[0], 10, 64)
		if len(v) != 1 || perr != nil || n != since || since < 0 {
			t.Fatalf("%q: since %d from %q", raw, since, v)
		}
	})
}

// TestParseRowDataPath: three escaped segments, each a valid name once decoded, the type not "*".
func TestParseRowDataPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		key  hub.Key
		user string
		err  string // part of the error; "" for none
	}{
		{"/ws/rowdata/meter/m-1/bob", hub.Key{Type: "meter", ID: "m-1"}, "bob", ""},
		{"/ws/rowdata/meter/*/bob", hub.Key{Type: "meter", ID: "*"}, "bob", ""},
		{"/ws/rowdata/%E7%94%B5%E8%A1%A8/a%2Fb/b%20o", hub.Key{Type: "电表", ID: "a/b"}, "b o", ""},
		{"/ws/rowdata/meter/a+b/bob", hub.Key{Type: "meter", ID: "a+b"}, "bob", ""},
		{"/ws/rowdata", hub.Key{}, "", "path must be"},
		{"/ws/rowdata/", hub.Key{}, "", "path must be"},
		{"/ws/rowdata/meter/m-1", hub.Key{}, "", "path must be"},
		{"/ws/rowdata/meter/m-1/bob/", hub.Key{}, "", "path must be"},
		{"/ws/rowdata/meter/m-1/bob/x", hub.Key{}, "", "path must be"},
		{"/ws/other/meter/m-1/bob", hub.Key{}, "", "path must be"},
		{"/ws/rowdata/meter//bob", hub.Key{}, "", "businessId: must not be empty"},
		{"/ws/rowdata//m-1/bob", hub.Key{}, "", "businessType: must not be empty"},
		{"/ws/rowdata/meter/m-1/", hub.Key{}, "", "userName: must not be empty"},
		{"/ws/rowdata/meter/%zz/bob", hub.Key{}, "", "businessId: invalid URL escape"},
		{"/ws/rowdata/meter/m-1/bo%", hub.Key{}, "", "userName: invalid URL escape"},
		{"/ws/rowdata/meter/a%01b/bob", hub.Key{}, "", "control characters"},
		{"/ws/rowdata/meter/a%00/bob", hub.Key{}, "", "control characters"},
		{"/ws/rowdata/meter/%FF%FE/bob", hub.Key{}, "", "UTF-8"},
		{"/ws/rowdata/meter/" + strings.Repeat("x", 129) + "/bob", hub.Key{}, "", "128 bytes"},
		{"/ws/rowdata/meter/" + strings.Repeat("%E7%94%B5", 43) + "/bob", hub.Key{}, "", "128 bytes"},
		{"/ws/rowdata/*/m-1/bob", hub.Key{}, "", `"*" is not a type`},
		{"/ws/rowdata/%2A/m-1/bob", hub.Key{}, "", `"*" is not a type`},
	} {
		key, user, err := parseRowDataPath(tc.path, rowDataRoot)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.path, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one saying %q", tc.path, err, tc.err)
		case key != tc.key || user != tc.user:
			t.Errorf("%q: %+v %q, want %+v %q", tc.path, key, user, tc.key, tc.user)
		}
	}
}

// FuzzParseRowDataPath: any path is refused with an error, or gives three valid names whose
// escapes make up the path again.
func FuzzParseRowDataPath(f *testing.F) {
	for _, s := range []string{"/ws/rowdata/meter/m-1/bob", "/ws/rowdata/meter/*/bob", "/ws/rowdata/*/x/y",
		"/ws/rowdata/a%2Fb/c/d", "/ws/rowdata/a/b/%zz", "/ws/rowdata/a/b", "/ws/rowdata/a//c", "/ws/rowdata/%FF/b/c",
		"/ws/rowdata/a%01/b/c", "/ws/rowdata/%E7%94%B5/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		key, user, err := parseRowDataPath(path, rowDataRoot)
		if err != nil {
			if key != (hub.Key{}) || user != "" {
				t.Fatalf("%q: an error with %+v %q", path, key, user)
			}
			return
		}
		for _, s := range []string{key.Type, key.ID, user} {
			if model.CheckName(s) != nil || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
				t.Fatalf("%q gave the invalid name %q", path, s)
			}
		}
		if key.Type == model.Wildcard {
			t.Fatalf("%q gave the wildcard type", path)
		}
		rest := strings.TrimPrefix(path, rowDataPrefix)
		parts := strings.Split(rest, "/")
		if !strings.HasPrefix(path, rowDataPrefix) || len(parts) != 3 {
			t.Fatalf("%q accepted, but it is not three segments under %s", path, rowDataPrefix)
		}
		for i, want := range []string{key.Type, key.ID, user} {
			if got, err := url.PathUnescape(parts[i]); err != nil || got != want {
				t.Fatalf("%q: segment %d is %q, decoded %q", path, i, want, got)
			}
		}
	})
}
