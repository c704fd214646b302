package ws

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// parseQuery decodes a request's raw query strictly: an undecodable pair (a bad escape like %zz,
// a ';' separator) is an error, where url.URL.Query would silently drop it.
func parseQuery(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("query: %v", err)
	}
	return q, nil
}

// parseSince reads ?since=S of /ws/alarm: the seq of the last alarm event the console has.
func parseSince(q url.Values) (since int64, resume bool, err error) {
	v, ok := q["since"]
	if !ok {
		return 0, false, nil
	}
	if len(v) != 1 {
		return 0, false, fmt.Errorf("since: give it once")
	}
	since, err = strconv.ParseInt(v[0], 10, 64)
	if err != nil || since < 0 {
		return 0, false, fmt.Errorf("since: must be the seq of the last alarm event received (an integer >= 0), got %q", v[0])
	}
	return since, true, nil
}

// parseConsoleUser reads ?user=NAME of /ws/alarm: whose notices the console receives (auth off;
// with auth on the token's sub is the user, and a user given must be it). "" when absent.
func parseConsoleUser(q url.Values) (string, error) {
	v, ok := q["user"]
	if !ok {
		return "", nil
	}
	if len(v) != 1 {
		return "", fmt.Errorf("user: give it once")
	}
	if err := model.CheckName(v[0]); err != nil {
		return "", fmt.Errorf("user: %v", err)
	}
	return v[0], nil
}
