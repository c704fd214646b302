package config

// refuseFootguns reports a combination of values that each can work but together expose the
// server: Check's last step.
func refuseFootguns(c Config) error {
	if !c.Auth.Enabled && len(c.WS.AllowedOrigins) == 1 && c.WS.AllowedOrigins[0] == "*" {
		// A page on any origin could then read and clear alarms through its visitors' browsers.
		return invalid("ws.allowedOrigins", `["*"] with auth.enabled false lets a web page on any origin read, acknowledge and clear alarms: `+
			`turn auth.enabled on, or list the origins of your dashboards in ws.allowedOrigins ([] = same origin)`)
	}
	return nil
}
