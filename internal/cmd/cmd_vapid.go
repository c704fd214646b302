package cmd

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/gogf/gf/v2/os/gcmd"

	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
)

// Vapid is `pulse vapid`: a new VAPID key pair for a webpush outlet.
var Vapid = gcmd.Command{
	Name:  "vapid",
	Usage: "pulse vapid",
	Brief: "print a new VAPID key pair for a webpush outlet (notify.outlets, type webpush)",
	Description: "Prints a new P-256 key pair (RFC 8292) as the two keys of a webpush outlet: vapidPublicKey, " +
		"the uncompressed point in base64url (browsers subscribe with it: GET /api/v1/devices/vapid answers it), and " +
		"vapidPrivateKey, the private scalar in base64url (keep it secret: vapidPrivateKeyFile may hold it). " +
		"Changing the pair makes every browser's subscription useless: browsers must subscribe again.",
	Examples: "pulse vapid",
	Strict:   true,
	Func: func(_ context.Context, _ *gcmd.Parser) error {
		return writeVAPID(os.Stdout)
	},
}

func init() {
	if err := Main.AddCommand(&Vapid); err != nil {
		panic(err)
	}
}

func writeVAPID(w io.Writer) error {
	pub, priv, err := webpush.GenerateVAPID()
	if err != nil {
		return fmt.Errorf("pulse vapid: %w", err)
	}
	_, err = fmt.Fprintf(w, "# in a webpush outlet under notify.outlets in config.yaml:\nvapidPublicKey: %q\nvapidPrivateKey: %q\n", pub, priv)
	return err
}
