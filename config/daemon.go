package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"github.com/syncwatch/syncwatch/capture"
	"go.yaml.in/yaml/v3"
)

// The daemon's sections (syncwatch run): capture, the judge's windows and
// thresholds, the sinks, HTTP, the data folder and the transcripts of an
// inventory without live collection. Zero values mean the defaults the
// consuming packages document; DefaultListen is the HTTP address.

// DefaultListen is the daemon's HTTP address when http.listen is absent.
const DefaultListen = ":9849"

// Sensor names this sensor.
type Sensor struct {
	// Name is put on every finding and alert (default: the host name).
	Name string `yaml:"name"`

	line int
}

// Capture configures live capture.
type Capture struct {
	// Interfaces are the SPAN destination interfaces captured.
	Interfaces []string `yaml:"interfaces"`
	// Snaplen is how many bytes of each frame are kept (default 256).
	Snaplen int `yaml:"snaplen"`
	// AnswerTimeout is how long after its first SYN an attempt without
	// answer is unanswered (default 10 s); Grace how long a late answer
	// still corrects it (default 120 s).
	AnswerTimeout Duration `yaml:"answer_timeout"`
	Grace         Duration `yaml:"grace"`
	// MaxAttempts caps the attempts held in memory (default 1,000,000).
	MaxAttempts int `yaml:"max_attempts"`

	keys keyLines
}

// Judge holds the judge's windows and thresholds.
type Judge struct {
	// PSNDownEndpoints distinct endpoints failing within PSNDownWindow make
	// a psn-down (defaults 5 and 60 s).
	PSNDownEndpoints int      `yaml:"psn_down_endpoints"`
	PSNDownWindow    Duration `yaml:"psn_down_window"`
	// Hold is how long a fix must be seen before a finding resolves
	// (default 10 min).
	Hold Duration `yaml:"hold"`
	// SilenceFloor is the shortest silence that makes a
	// state-sync-disabled (default 5 min).
	SilenceFloor Duration `yaml:"silence_floor"`
	// ConfirmTimeout bounds the confirm step's refresh of a switch
	// (default 30 s).
	ConfirmTimeout Duration `yaml:"confirm_timeout"`

	keys keyLines
}

// Alertmanager configures the Alertmanager sink; absent (no peers), none
// is used.
type Alertmanager struct {
	// Peers are the base URLs of every Alertmanager of the cluster.
	Peers []URL `yaml:"peers"`
	// MinSeverity is the least severe finding sent (default warning).
	MinSeverity Severity `yaml:"min_severity"`
	// ResendInterval is how often firing alerts are sent again (1 min).
	ResendInterval Duration `yaml:"resend_interval"`
	// ExternalURL is the daemon's URL as on-call reaches it, for the
	// alerts' links.
	ExternalURL *URL `yaml:"external_url"`
	// RunbookURL is the page whose anchors are the finding kinds.
	RunbookURL *URL `yaml:"runbook_url"`
	// SensorLabel makes the sensor a label, so that redundant sensors'
	// alerts do not deduplicate.
	SensorLabel bool `yaml:"sensor_label"`
	HTTPClient  `yaml:",inline"`

	line int
	keys keyLines
}

// HTTPClient is how a sink reaches its peer: timeout, credentials, TLS.
type HTTPClient struct {
	// Timeout bounds one request (default 10 s).
	Timeout     Duration   `yaml:"timeout"`
	BasicAuth   *BasicAuth `yaml:"basic_auth"`
	BearerToken *Secret    `yaml:"bearer_token"`
	TLS         *TLS       `yaml:"tls"`
}

// BasicAuth is a user name and a password secret.
type BasicAuth struct {
	Username string  `yaml:"username"`
	Password *Secret `yaml:"password"`

	line int
}

// TLS is a client's TLS settings.
type TLS struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`

	line int
}

// Webhook is one webhook sink.
type Webhook struct {
	// Name names the webhook in logs and metrics (default: the URL's host).
	Name string `yaml:"name"`
	// URL is where notifications are posted; it may hold a token, so it is
	// never printed.
	URL *URL `yaml:"url"`
	// Secret signs every body (HMAC-SHA256 in X-Syncwatch-Signature).
	Secret *Secret `yaml:"secret"`
	// MinSeverity is the least severe finding sent (default info).
	MinSeverity Severity `yaml:"min_severity"`
	HTTPClient  `yaml:",inline"`

	line int
}

// HTTP is the daemon's HTTP server.
type HTTP struct {
	// Listen is host:port (default ":9849").
	Listen string `yaml:"listen"`
	// WebConfigFile is an exporter-toolkit web configuration file (TLS,
	// basic auth); none serves plain HTTP.
	WebConfigFile string `yaml:"web_config_file"`

	keys keyLines
}

// Evidence bounds the evidence folder.
type Evidence struct {
	MaxFiles int   `yaml:"max_files"`
	MaxBytes int64 `yaml:"max_bytes"`

	keys keyLines
}

// keyLines is the line of each key of a section, for value errors.
type keyLines map[string]int

func linesOf(n *yaml.Node) keyLines {
	k := keyLines{"": n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k[n.Content[i].Value] = n.Content[i+1].Line
	}
	return k
}

// line returns the line of key, else of the section.
func (k keyLines) line(key string) int {
	if l, ok := k[key]; ok {
		return l
	}
	return k[""]
}

// UnmarshalYAML decodes the section strictly.
func (s *Sensor) UnmarshalYAML(n *yaml.Node) error {
	type plain Sensor
	s.line = n.Line
	return strict(n, (*plain)(s), "sensor")
}

// UnmarshalYAML decodes the section strictly.
func (c *Capture) UnmarshalYAML(n *yaml.Node) error {
	type plain Capture
	c.keys = linesOf(n)
	return strict(n, (*plain)(c), "capture")
}

// UnmarshalYAML decodes the section strictly.
func (j *Judge) UnmarshalYAML(n *yaml.Node) error {
	type plain Judge
	j.keys = linesOf(n)
	return strict(n, (*plain)(j), "judge")
}

// UnmarshalYAML decodes the section strictly, its HTTP client keys
// included.
func (a *Alertmanager) UnmarshalYAML(n *yaml.Node) error {
	a.line, a.keys = n.Line, linesOf(n)
	return strictInline(n, "alertmanager", yamlNames(Alertmanager{}), func(own *yaml.Node) error {
		type plain Alertmanager
		return strict(own, (*plain)(a), "alertmanager")
	}, &a.HTTPClient)
}

// UnmarshalYAML decodes a webhooks entry strictly.
func (w *Webhook) UnmarshalYAML(n *yaml.Node) error {
	w.line = n.Line
	return strictInline(n, "a webhooks entry", yamlNames(Webhook{}), func(own *yaml.Node) error {
		type plain Webhook
		return strict(own, (*plain)(w), "a webhooks entry")
	}, &w.HTTPClient)
}

// strictInline decodes a mapping whose keys are its own (decoded by own,
// without the inline HTTPClient field) and HTTPClient's: the strict helper
// knows no inline fields, so the mapping is split in two.
func strictInline(n *yaml.Node, what string, ownKeys []string, own func(*yaml.Node) error, hc *HTTPClient) error {
	known := append([]string{"basic_auth", "bearer_token", "timeout", "tls"}, ownKeys...)
	sort.Strings(known)
	if n.Kind != yaml.MappingNode {
		return typeErr(n, "%s must be a mapping (key: value), not %s", what, describe(n))
	}
	clientKeys := map[string]bool{"timeout": true, "basic_auth": true, "bearer_token": true, "tls": true}
	var unknown []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !clientKeys[k.Value] && !slices.Contains(ownKeys, k.Value) {
			unknown = append(unknown, fmt.Sprintf("line %d: unknown key %q in %s (known: %s)", k.Line, k.Value, what, strings.Join(known, ", ")))
		}
	}
	if len(unknown) > 0 {
		return &yaml.TypeError{Errors: unknown}
	}
	mine := &yaml.Node{Kind: yaml.MappingNode, Tag: n.Tag, Line: n.Line, Column: n.Column}
	client := &yaml.Node{Kind: yaml.MappingNode, Tag: n.Tag, Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if clientKeys[n.Content[i].Value] {
			client.Content = append(client.Content, n.Content[i], n.Content[i+1])
		} else {
			mine.Content = append(mine.Content, n.Content[i], n.Content[i+1])
		}
	}
	errOwn := own(mine)
	type plain HTTPClient
	errClient := strict(client, (*plain)(hc), what)
	return joinTypeErrors(errOwn, errClient)
}

// yamlNames returns the yaml keys of a struct's own fields.
func yamlNames(v any) []string {
	t := reflect.TypeOf(v)
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// joinTypeErrors merges the decoder's errors into one, as it collects
// them.
func joinTypeErrors(errs ...error) error {
	var out yaml.TypeError
	for _, err := range errs {
		if err == nil {
			continue
		}
		te, ok := err.(*yaml.TypeError)
		if !ok {
			return err
		}
		out.Errors = append(out.Errors, te.Errors...)
	}
	if len(out.Errors) == 0 {
		return nil
	}
	return &out
}

// UnmarshalYAML decodes the credentials strictly.
func (b *BasicAuth) UnmarshalYAML(n *yaml.Node) error {
	type plain BasicAuth
	b.line = n.Line
	return strict(n, (*plain)(b), "basic_auth")
}

// UnmarshalYAML decodes the TLS settings strictly.
func (t *TLS) UnmarshalYAML(n *yaml.Node) error {
	type plain TLS
	t.line = n.Line
	return strict(n, (*plain)(t), "tls")
}

// UnmarshalYAML decodes the section strictly.
func (h *HTTP) UnmarshalYAML(n *yaml.Node) error {
	type plain HTTP
	h.keys = linesOf(n)
	return strict(n, (*plain)(h), "http")
}

// UnmarshalYAML decodes the section strictly.
func (e *Evidence) UnmarshalYAML(n *yaml.Node) error {
	type plain Evidence
	e.keys = linesOf(n)
	return strict(n, (*plain)(e), "evidence")
}

// URL is an absolute http or https URL in the file, without credentials
// (those come from secrets). Errors never quote it: a URL may hold a
// token.
type URL struct {
	*url.URL
	line int
}

// UnmarshalYAML parses the URL.
func (u *URL) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "a URL")
	if err != nil {
		return err
	}
	p, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err != nil:
		return typeErr(n, "not a URL")
	case p.Scheme != "http" && p.Scheme != "https":
		return typeErr(n, "not an http:// or https:// URL")
	case p.Host == "" || p.Hostname() == "":
		return typeErr(n, "a URL without a host")
	case p.User != nil:
		return typeErr(n, "credentials written in a URL: use basic_auth with a password {file: ...} or {env: ...}")
	}
	if port := p.Port(); port != "" {
		if v, err := strconv.ParseUint(port, 10, 16); err != nil || v == 0 {
			return typeErr(n, "port %q of a URL is not a TCP port (1-65535)", port)
		}
	}
	u.URL, u.line = p, n.Line
	return nil
}

// String returns the URL ("" when absent).
func (u *URL) String() string {
	if u == nil || u.URL == nil {
		return ""
	}
	return u.URL.String()
}

// Severity is a finding severity in the file: critical, warning or info.
type Severity string

// UnmarshalYAML accepts only the severities.
func (s *Severity) UnmarshalYAML(n *yaml.Node) error {
	v, err := scalar(n, "a severity")
	if err != nil {
		return err
	}
	switch v {
	case "critical", "warning", "info":
		*s = Severity(v)
		return nil
	}
	return typeErr(n, "%q is not a severity (critical, warning or info)", v)
}

// ListenAddress returns http.listen, or DefaultListen.
func (c *Config) ListenAddress() string {
	if c == nil || c.HTTP.Listen == "" {
		return DefaultListen
	}
	return c.HTTP.Listen
}

// validateDaemon checks the daemon's sections.
func (c *Config) validateDaemon(add func(line int, format string, args ...any)) {
	seen := map[string]bool{}
	for i, name := range c.Capture.Interfaces {
		line := c.Capture.keys.line("interfaces")
		switch {
		case strings.TrimSpace(name) == "":
			add(line, "capture.interfaces entry %d is empty", i+1)
		case seen[name]:
			add(line, "capture interface %q listed twice", name)
		case len(name) > 15 || strings.ContainsAny(name, "/ \t"):
			add(line, "capture interface %q is not an interface name", name)
		}
		seen[name] = true
	}
	if s := c.Capture.Snaplen; s != 0 && (s < 128 || s > 65535) {
		add(c.Capture.keys.line("snaplen"), "capture.snaplen %d is outside 128..65535", s)
	}
	for _, d := range []struct {
		key string
		d   Duration
	}{{"answer_timeout", c.Capture.AnswerTimeout}, {"grace", c.Capture.Grace}} {
		if time.Duration(d.d) > capture.MaxTimeout {
			add(c.Capture.keys.line(d.key), "capture.%s %s is longer than %s", d.key, d.d, capture.MaxTimeout)
		}
	}
	if c.Capture.MaxAttempts < 0 {
		add(c.Capture.keys.line("max_attempts"), "capture.max_attempts must not be negative")
	}
	if c.Judge.PSNDownEndpoints < 0 {
		add(c.Judge.keys.line("psn_down_endpoints"), "judge.psn_down_endpoints must not be negative")
	}

	am := &c.Alertmanager
	if am.keys != nil && len(am.Peers) == 0 {
		add(am.line, "alertmanager has no peers: give the base URL of every Alertmanager of the cluster")
	}
	peers := map[string]int{}
	for _, p := range am.Peers {
		if p.URL == nil {
			continue
		}
		k := strings.TrimRight(p.URL.String(), "/")
		if prev, ok := peers[k]; ok {
			add(p.line, "alertmanager peer given twice (also line %d)", prev)
		}
		peers[k] = p.line
	}
	c.validateClient(add, &am.HTTPClient, "alertmanager")
	names := map[string]int{}
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		if w.URL == nil || w.URL.URL == nil {
			add(w.line, "webhooks entry %d has no url", i+1)
			continue
		}
		name := c.WebhookName(i)
		if prev, ok := names[name]; ok {
			add(w.line, "webhook name %q given twice (also line %d): give each webhook its own name", name, prev)
		}
		names[name] = w.line
		c.validateClient(add, &w.HTTPClient, fmt.Sprintf("webhook %q", name))
	}

	if l := c.HTTP.Listen; l != "" {
		if err := checkListen(l); err != "" {
			add(c.HTTP.keys.line("listen"), "http.listen %q: %s", l, err)
		}
	}
	if f := c.HTTP.WebConfigFile; f != "" {
		if info, err := os.Stat(f); err != nil || !info.Mode().IsRegular() || info.Size() > MaxSize {
			// Not handed to the toolkit, which would read a device or a
			// pipe without end.
			msg := "not a regular file of at most 4 MiB"
			if err != nil {
				msg = err.Error()
			}
			add(c.HTTP.keys.line("web_config_file"), "http.web_config_file %s: %s", f, msg)
		} else if err := web.Validate(f); err != nil {
			msg := strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n"), "\n", "; ")
			add(c.HTTP.keys.line("web_config_file"), "http.web_config_file %s: %s", f, strings.TrimSpace(msg))
		}
	}
	if c.Evidence.MaxFiles < 0 || c.Evidence.MaxBytes < 0 {
		add(c.Evidence.keys.line(""), "evidence bounds must not be negative")
	}
	for i, t := range c.Transcripts {
		if strings.TrimSpace(t) == "" {
			add(c.transcriptLines.line(""), "transcripts entry %d is empty", i+1)
		}
	}
}

func (c *Config) validateClient(add func(line int, format string, args ...any), hc *HTTPClient, what string) {
	if b := hc.BasicAuth; b != nil {
		if b.Username == "" {
			add(b.line, "%s: basic_auth has no username", what)
		}
		if b.Password == nil {
			add(b.line, "%s: basic_auth has no password ({file: PATH} or {env: VARIABLE})", what)
		}
		if hc.BearerToken != nil {
			add(b.line, "%s: basic_auth and bearer_token are exclusive", what)
		}
	}
	if t := hc.TLS; t != nil && (t.CertFile == "") != (t.KeyFile == "") {
		add(t.line, "%s: tls needs both cert_file and key_file, or neither", what)
	}
}

// checkListen says what is wrong with a listen address, or "".
func checkListen(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "not host:port (e.g. :9849 or 127.0.0.1:9849)"
	}
	if v, err := strconv.ParseUint(port, 10, 16); err != nil || (v == 0 && port != "0") {
		return fmt.Sprintf("port %q is not a TCP port", port)
	}
	if host != "" && !validHost(host) {
		return fmt.Sprintf("%q is not an IP address or host name", host)
	}
	return ""
}

// WebhookName returns the name of webhook i: its name, else its URL's
// host.
func (c *Config) WebhookName(i int) string {
	w := &c.Webhooks[i]
	if w.Name != "" {
		return w.Name
	}
	if w.URL != nil && w.URL.URL != nil {
		return w.URL.Host
	}
	return fmt.Sprintf("webhook-%d", i+1)
}
