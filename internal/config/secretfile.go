package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// SecretFileSuffix turns a secret's key into the key of the file that may hold it instead:
// hmacSecret or hmacSecretFile. Containers and orchestrators hand secrets over as files
// (Docker and Kubernetes secrets), which keeps them out of the configuration file, the
// environment and the process list.
const SecretFileSuffix = "File"

// withSecretFiles adds to a section's fields, for each of the secrets named, the key
// <name>File: the path of a file whose content (without its trailing newline) is read by the
// secret's own field, as if it had been written inline. Setting both keys, or a file that cannot
// be read, refuses the start naming the key; no message shows the secret. Every section with a
// secret wires it this way.
func withSecretFiles(fields map[string]field, names ...string) map[string]field {
	for _, name := range names {
		inline, given := fields[name], ""
		fileKey := name + SecretFileSuffix
		both := func() error {
			return fmt.Errorf("is set and so is %s: give the secret in one of them", given)
		}
		fields[name] = func(raw any) error {
			if s, ok := raw.(string); ok && s == "" {
				return inline(raw) // an empty secret is no secret: it does not clash with the file
			}
			if given != "" {
				return both()
			}
			given = name
			return inline(raw)
		}
		fields[fileKey] = func(raw any) error {
			path, ok := raw.(string)
			switch {
			case !ok:
				return fmt.Errorf("%s is not a string: write the path of the file that holds %s", show(raw), name)
			case path == "":
				return nil
			case given != "":
				return both()
			}
			given = fileKey
			content, err := os.ReadFile(path)
			if err != nil {
				var pathErr *os.PathError
				if errors.As(err, &pathErr) {
					err = pathErr.Err // os's message repeats the path
				}
				return fmt.Errorf("cannot read the file %q: %v", path, err)
			}
			secret := strings.TrimSuffix(strings.TrimSuffix(string(content), "\n"), "\r")
			if secret == "" {
				return fmt.Errorf("the file %q is empty", path)
			}
			if err := inline(secret); err != nil {
				return fmt.Errorf("the file %q: its content %v", path, err)
			}
			return nil
		}
	}
	return fields
}
