// Package secret reads credentials (passwords, keys, tokens) from an
// environment variable or a file, the two places container platforms put
// them, never from the configuration file itself. A Secret prints where it
// comes from, never its value, so it is safe in logs and errors.
package secret

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretFile bounds a secret file: a password or key is a line.
const maxSecretFile = 64 << 10

// Secret is a credential read from an environment variable or a file,
// never written in the configuration. Its String names where it comes
// from, never the value.
type Secret struct {
	// Env names an environment variable holding the secret.
	Env string
	// File names a file holding the secret; a trailing newline is not
	// part of it.
	File string
}

// IsZero reports whether no source is set.
func (s Secret) IsZero() bool { return s.Env == "" && s.File == "" }

// String names the secret's source.
func (s Secret) String() string {
	switch {
	case s.Env != "":
		return "environment variable " + s.Env
	case s.File != "":
		return "file " + s.File
	}
	return "no secret"
}

// Value reads the secret. An unset or empty variable and an empty file
// are errors: an empty password is a mistake, not a choice.
func (s Secret) Value() (string, error) {
	switch {
	case s.Env != "" && s.File != "":
		return "", errors.New("a secret comes from an environment variable or a file, not both")
	case s.Env != "":
		v := os.Getenv(s.Env)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is not set or empty", s.Env)
		}
		return v, nil
	case s.File != "":
		f, err := os.Open(s.File)
		if err != nil {
			return "", fmt.Errorf("secret file: %w", err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
		if err != nil {
			return "", fmt.Errorf("secret file %s: %w", s.File, err)
		}
		if len(b) > maxSecretFile {
			return "", fmt.Errorf("secret file %s: larger than %d KiB", s.File, maxSecretFile>>10)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", fmt.Errorf("secret file %s is empty", s.File)
		}
		return v, nil
	}
	return "", errors.New("no secret source given")
}
