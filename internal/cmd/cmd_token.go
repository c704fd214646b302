package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gogf/gf/v2/os/gcmd"
	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// Token is `pulse token`: a token signed with the configured HMAC secret, for development and
// scripts. People's tokens in production come from the identity provider.
var Token = gcmd.Command{
	Name:  "token",
	Usage: "pulse token --sub alice [--rowdata 'meter/*,pump/p-7'] [--alarms '*'] [--ack] [--ttl 8h]",
	Brief: "print a token signed with auth.jwt.hmacSecret (HS256), for development and scripts",
	Description: "Reads the configuration like the server does and prints, alone on stdout, a JWT for --sub " +
		"with the grants given: --rowdata and --alarms take business patterns (\"type/id\", \"type/*\" or \"*\"), " +
		"comma-separated or the flag repeated; --ack lets the user acknowledge and clear the alarms it sees. " +
		"The token expires after --ttl and carries auth.jwt.issuer and audience when they are set.",
	Examples: "pulse token --sub alice --rowdata 'meter/*' --alarms '*' --ack --ttl 8h\n" +
		"pulse token --sub wall-display --rowdata 'meter/*' --rowdata 'pump/p-7' --ttl 720h",
	Strict:    true,
	Arguments: tokenArguments,
	Func:      runToken,
}

var tokenArguments = []gcmd.Argument{
	{Name: "sub", Brief: "the user: the userName of its dashboards and the ackedBy of its acknowledgements"},
	{Name: "rowdata", Brief: "business patterns whose row data the user may follow (comma-separated or repeated)"},
	{Name: "alarms", Brief: "business patterns whose alarms the user may see (comma-separated or repeated)"},
	{Name: "ack", Orphan: true, Brief: "the user may acknowledge and clear the alarms it sees"},
	{Name: "ttl", Default: "8h", Brief: "how long the token is valid"},
}

func init() {
	if err := Main.AddCommand(&Token); err != nil {
		panic(err)
	}
}

func runToken(ctx context.Context, p *gcmd.Parser) error {
	cfg, _, err := config.Load(ctx)
	if err != nil {
		return err
	}
	token, err := mintToken(p, cfg.Auth.JWT, time.Now())
	if err != nil {
		return fmt.Errorf("pulse token: %w", err)
	}
	_, err = fmt.Println(token)
	return err
}

// mintToken signs the token the options of p ask for with jwtCfg's HMAC secret.
func mintToken(p *gcmd.Parser, jwtCfg config.JWT, now time.Time) (string, error) {
	if jwtCfg.HMACSecret == "" {
		return "", errors.New("auth.jwt.hmacSecret is not set in the configuration: set a secret of at least " +
			"32 bytes to mint tokens here (with public keys or a JWKS, your identity provider mints them)")
	}
	sub := p.GetOpt("sub").String()
	if err := model.CheckName(sub); err != nil {
		return "", fmt.Errorf("--sub: the user %v (e.g. --sub alice)", err)
	}
	ttl, err := time.ParseDuration(p.GetOpt("ttl", "8h").String())
	if err != nil || ttl <= 0 {
		return "", errors.New("--ttl: must be a positive duration such as 8h or 30m")
	}
	grants := map[string]any{"ack": p.GetOpt("ack") != nil}
	for _, name := range []string{"rowdata", "alarms"} {
		patterns := []string{}
		for _, s := range optionValues(p, name) {
			if _, err := model.ParsePattern(s); err != nil {
				return "", fmt.Errorf("--%s: %q is not a business pattern: %v", name, s, err)
			}
			patterns = append(patterns, s)
		}
		grants[name] = patterns
	}
	claims := jwt.MapClaims{"sub": sub, "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "pulse": grants}
	if jwtCfg.Issuer != "" {
		claims["iss"] = jwtCfg.Issuer
	}
	if jwtCfg.Audience != "" {
		claims["aud"] = jwtCfg.Audience
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(jwtCfg.HMACSecret))
}

// optionValues are the comma-separated values of every --name on the command line: gcmd keeps
// only the last of a repeated option, so the arguments are read again for the others.
func optionValues(p *gcmd.Parser, name string) []string {
	var raw []string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		flag, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || flag != name {
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		raw = append(raw, value)
	}
	if len(raw) == 0 && p.GetOpt(name) != nil { // run with other arguments than the process's
		raw = append(raw, p.GetOpt(name).String())
	}
	var out []string
	for _, r := range raw {
		for _, s := range strings.Split(r, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
