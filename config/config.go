// Package config reads syncwatch's configuration file: one YAML file whose
// sections each stage of syncwatch reads (the PSNs and ports everything
// judges against, posture rules, switches; later capture, collection
// credentials and sinks). Reading is strict: an unknown key, a value of the
// wrong kind and a value that makes no sense are errors naming the file and
// line, never silently ignored or defaulted.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/syncwatch/syncwatch/collectors"
)

// DefaultPort is the PSNs' posture state-sync port when the file names none.
const DefaultPort = 8449

// MaxSize bounds a configuration file; a real one is a few kilobytes.
const MaxSize = 4 << 20

// Config is the configuration file. Sections the file leaves out keep their
// defaults (see each type). A new section is a field with a yaml tag; a
// struct type decodes strictly through an UnmarshalYAML that calls strict
// (as PSN does), its checks go to validate.go, and each check gets a bad
// file in testdata with its expected message.
type Config struct {
	// PSNs are the ISE Policy Service Nodes whose state-sync port is judged.
	PSNs []PSN `yaml:"psns"`
	// Ports are the state-sync ports; [8449] when absent.
	Ports []Port `yaml:"ports"`
	// Posture says how a session's posture is read from what the switch shows.
	Posture Posture `yaml:"posture"`
	// Switches are the switches syncwatch reads sessions and ACLs from.
	Switches []Switch `yaml:"switches"`
	// Collect is how the live collector reads the switches (collect.go).
	Collect Collect `yaml:"collect"`

	// The daemon's sections (config/daemon.go).

	// Sensor names this sensor on findings and alerts.
	Sensor Sensor `yaml:"sensor"`
	// Capture is live capture: interfaces and timeouts.
	Capture Capture `yaml:"capture"`
	// Judge holds the judge's windows and thresholds.
	Judge Judge `yaml:"judge"`
	// Alertmanager is the Alertmanager sink (none without peers).
	Alertmanager Alertmanager `yaml:"alertmanager"`
	// Webhooks are the webhook sinks.
	Webhooks []Webhook `yaml:"webhooks"`
	// FindingsLog is the JSON log of notifications: a file, "-" for
	// stdout, absent for none.
	FindingsLog string `yaml:"findings_log"`
	// HTTP is the daemon's HTTP server.
	HTTP HTTP `yaml:"http"`
	// DataDir keeps the active findings and the evidence; absent, the
	// daemon keeps neither.
	DataDir string `yaml:"data_dir"`
	// Evidence bounds the evidence folder.
	Evidence Evidence `yaml:"evidence"`
	// Transcripts are saved switch outputs (files or folders) that make
	// the inventory when switches are not read live; re-read when they
	// change.
	Transcripts []string `yaml:"transcripts"`

	file            string
	portLines       []int
	transcriptLines keyLines
}

// PSN is one Policy Service Node: a name for findings and its addresses.
type PSN struct {
	Name      string `yaml:"name"`
	Addresses []Addr `yaml:"addresses"`

	line int
}

// Posture holds the ordered posture rules; without rules the defaults of
// collectors.DefaultPostureRules apply.
type Posture struct {
	Rules []PostureRule `yaml:"rules"`

	line int
}

// PostureRule is one rule: exactly one of DACL (a regular expression matched
// on the dACL base name) and URLRedirect (one matched on the redirect URL;
// empty matches any redirect), and the posture it gives.
type PostureRule struct {
	DACL        *string      `yaml:"dacl"`
	URLRedirect *string      `yaml:"url_redirect"`
	Posture     PostureValue `yaml:"posture"`

	rule collectors.PostureRule
	line int
}

// Switch is one switch to read: its name (as its prompt shows it), the
// address to reach it at and its platform.
type Switch struct {
	Name     string   `yaml:"name"`
	Address  string   `yaml:"address"`
	Platform Platform `yaml:"platform"`
	// SSH and SNMP override the collect section's settings key by key.
	SSH  *SSH  `yaml:"ssh"`
	SNMP *SNMP `yaml:"snmp"`
	// PollInterval overrides collect.poll_interval for this switch.
	PollInterval Duration `yaml:"poll_interval"`

	line int
}

// Load reads and checks the configuration file at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return nil, Errors{{File: path, Message: fmt.Sprintf("larger than %d MiB: not a configuration file", MaxSize>>20)}}
	}
	return Parse(path, data)
}

// Parse reads and checks a configuration file's content; file names it in
// errors. It returns every error found, as Errors.
func Parse(file string, data []byte) (c *Config, err error) {
	defer func() {
		// The YAML library is not ours: whatever it does on hostile
		// input, a bad file is an error, never a crash.
		if r := recover(); r != nil {
			c, err = nil, Errors{{File: file, Message: fmt.Sprintf("malformed YAML (%v)", r)}}
		}
	}()
	c = &Config{file: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	switch err := dec.Decode(c); {
	case errors.Is(err, io.EOF):
		// An empty file: every default.
	case err != nil:
		return nil, yamlErrors(file, err)
	default:
		var next yaml.Node
		if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
			line := next.Line
			if err != nil {
				return nil, yamlErrors(file, err)
			}
			return nil, Errors{{File: file, Line: line, Message: "a second YAML document (after ---): the configuration is one document"}}
		}
	}
	if errs := c.validate(); len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// File returns the path the configuration was read from.
func (c *Config) File() string { return c.file }

// PortList returns the state-sync ports, [DefaultPort] when none is
// configured.
func (c *Config) PortList() []uint16 {
	if c == nil || len(c.Ports) == 0 {
		return []uint16{DefaultPort}
	}
	out := make([]uint16, len(c.Ports))
	for i, p := range c.Ports {
		out[i] = uint16(p)
	}
	return out
}

// PostureRules returns the configured posture rules in order, or the
// defaults when the file has none.
func (c *Config) PostureRules() collectors.PostureRules {
	if c == nil || len(c.Posture.Rules) == 0 {
		return collectors.DefaultPostureRules()
	}
	out := make(collectors.PostureRules, len(c.Posture.Rules))
	for i, r := range c.Posture.Rules {
		out[i] = r.rule
	}
	return out
}

// PSNName returns the name of the PSN with address a, or "".
func (c *Config) PSNName(a netip.Addr) string {
	if c == nil {
		return ""
	}
	a = a.Unmap()
	for _, p := range c.PSNs {
		for _, x := range p.Addresses {
			if netip.Addr(x) == a {
				return p.Name
			}
		}
	}
	return ""
}
