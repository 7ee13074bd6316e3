package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/syncwatch/syncwatch/internal/secret"
)

// Secret is a credential in the file: a mapping with exactly one of env
// (an environment variable) or file (a file, as container platforms mount
// secrets). A secret written inline, as a plain string, is an error: the
// configuration file is not a place for credentials. The secret is read
// once when the file is loaded, so that a missing variable or file is an
// error with its line, and again each time it is used (Value), so that a
// rotated secret takes effect; its value is never kept in the Config.
type Secret struct {
	Env  string `yaml:"env"`
	File string `yaml:"file"`

	line int
}

// UnmarshalYAML decodes the source of a secret and checks that it can be
// read, without keeping the value.
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		// Never quote the value: it is probably the secret itself.
		return typeErr(n, "a secret is never written in the configuration file: give {env: VARIABLE} or {file: PATH}")
	}
	type plain Secret
	s.line = n.Line
	if err := strict(n, (*plain)(s), "a secret"); err != nil {
		return err
	}
	switch {
	case s.Env == "" && s.File == "":
		return typeErr(n, "a secret needs env (an environment variable) or file (a path)")
	case s.Env != "" && s.File != "":
		return typeErr(n, "a secret comes from env or from file, not both")
	}
	if _, err := s.Source().Value(); err != nil {
		return typeErr(n, "%v", err)
	}
	return nil
}

// Source returns where the secret is read from; nil-safe (a nil Secret
// gives the zero source, whose Value is an error).
func (s *Secret) Source() secret.Secret {
	if s == nil {
		return secret.Secret{}
	}
	return secret.Secret{Env: s.Env, File: s.File}
}

// Line returns the line of the secret in the file (0 when unknown).
func (s *Secret) Line() int {
	if s == nil {
		return 0
	}
	return s.line
}

// String names the secret's source, never its value.
func (s *Secret) String() string { return s.Source().String() }

// Duration is a length of time in the file, as Go writes it: "500ms",
// "10s", "1m30s", "2h". Negative durations are errors; zero means the
// field's default where the field says so.
type Duration time.Duration

// UnmarshalYAML parses the duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "a duration")
	if err != nil {
		return err
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		hint := ""
		if _, numErr := fmt.Sscanf(s, "%d", new(int)); numErr == nil {
			hint = " (give a unit: 10s, 5m)"
		}
		return typeErr(n, "%q is not a duration%s", s, hint)
	}
	if v < 0 {
		return typeErr(n, "%q: a duration cannot be negative", s)
	}
	*d = Duration(v)
	return nil
}

// D returns the duration, or def when it is zero.
func (d Duration) D(def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}

// String formats the duration as Go does.
func (d Duration) String() string { return time.Duration(d).String() }
