package ws

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/model"
)

const rowDataPrefix = rowDataRoot + "/"

// parseRowDataPath reads the subscription and user name from the escaped request path under root
// (/ws/rowdata or /sse/rowdata), so that an encoded "/" stays inside its segment.
func parseRowDataPath(escaped, root string) (hub.Key, string, error) {
	// The path shape, repeated in every path error.
	rowDataPathHelp := "path must be " + root + "/{businessType}/{businessId}/{userName} (businessId may be *)"
	rest, ok := strings.CutPrefix(escaped, root+"/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 {
		return hub.Key{}, "", fmt.Errorf("%s", rowDataPathHelp)
	}
	names := [3]string{"businessType", "businessId", "userName"}
	var seg [3]string
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil {
			return hub.Key{}, "", fmt.Errorf("%s: invalid URL escape", names[i])
		}
		if err := model.CheckName(s); err != nil {
			return hub.Key{}, "", fmt.Errorf("%s: %v; %s", names[i], err, rowDataPathHelp)
		}
		seg[i] = s
	}
	if seg[0] == model.Wildcard {
		return hub.Key{}, "", fmt.Errorf(`businessType: "*" is not a type; use a real type, and businessId "*" for every id of it`)
	}
	return hub.Key{Type: seg[0], ID: seg[1]}, seg[2], nil
}
