package config

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/syncwatch/syncwatch/collectors"
)

// Error is one problem in a configuration file.
type Error struct {
	File    string
	Line    int // 0 when it concerns the whole file
	Message string
}

// Error formats the problem as "FILE:LINE: MESSAGE".
func (e *Error) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Message
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// Errors is every problem found in a file, in line order.
type Errors []*Error

// Error lists the problems one per line.
func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unmarshalers report errors as yaml.TypeError lines "line N: message",
// which the decoder collects; yamlErrors turns them into Errors.
func typeErr(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, fmt.Sprintf(format, args...))}}
}

var (
	lineMsg    = regexp.MustCompile(`^line (\d+): (.*)$`)
	yamlSyntax = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	notFound   = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
	cannotInto = regexp.MustCompile("^cannot unmarshal !!(\\w+) (`.*` )?into (.*)$")
	yamlKinds  = map[string]string{"seq": "a list", "map": "a mapping", "str": "a string", "int": "a number", "bool": "true or false", "float": "a number", "null": "nothing"}
)

// yamlErrors turns the YAML library's errors into Errors with lines and
// messages an operator understands.
func yamlErrors(file string, err error) Errors {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var out Errors
		for _, s := range te.Errors {
			e := &Error{File: file, Message: s}
			if m := lineMsg.FindStringSubmatch(s); m != nil {
				e.Line, _ = strconv.Atoi(m[1])
				e.Message = rewrite(m[2])
			}
			out = append(out, e)
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
		return out
	}
	msg := err.Error()
	if m := yamlSyntax.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// The library's line is where the construct it could not finish
		// began, sometimes the line before.
		return Errors{{File: file, Line: line, Message: "YAML syntax error near here: " + m[2]}}
	}
	if strings.HasPrefix(msg, "yaml: did not find expected ") {
		// The library leaves out a parser error's line when it is the
		// first (it counts those lines from 0).
		return Errors{{File: file, Line: 1, Message: "YAML syntax error near here: " + strings.TrimPrefix(msg, "yaml: ")}}
	}
	return Errors{{File: file, Message: "YAML: " + strings.TrimPrefix(msg, "yaml: ")}}
}

// rewrite says in configuration terms what the YAML library says in Go
// terms (for sections decoded without the strict helper).
func rewrite(msg string) string {
	if m := notFound.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("unknown key %q", m[1])
	}
	if m := cannotInto.FindStringSubmatch(msg); m != nil {
		got := yamlKinds[m[1]]
		if got == "" {
			got = m[1]
		}
		want := "a single value"
		switch {
		case strings.HasPrefix(m[3], "int") || strings.HasPrefix(m[3], "uint"):
			want = "a whole number"
		case m[3] == "bool":
			want = "true or false"
		case strings.HasPrefix(m[3], "[]"):
			want = "a list"
		case strings.HasPrefix(m[3], "config."), strings.HasPrefix(m[3], "map"):
			want = "a mapping (key: value)"
		}
		return strings.TrimSpace(fmt.Sprintf("expected %s, got %s %s", want, got, strings.TrimSpace(m[2])))
	}
	return msg
}

// describe names a node's kind for a message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

// strict decodes a mapping into v, a pointer to a struct type without its
// own UnmarshalYAML, after checking that every key is one of its fields'
// yaml names; what names the mapping in messages.
func strict(n *yaml.Node, v any, what string) error {
	if n.Kind != yaml.MappingNode {
		return typeErr(n, "%s must be a mapping (key: value), not %s", what, describe(n))
	}
	t := reflect.TypeOf(v).Elem()
	fields := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = t.Field(i).Type
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var errs []string
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("line %d: unknown key %q in %s (known: %s)", k.Line, k.Value, what, strings.Join(names, ", ")))
		case seen[k.Value] > 0:
			errs = append(errs, fmt.Sprintf("line %d: key %q given twice in %s (also line %d)", k.Line, k.Value, what, seen[k.Value]))
		default:
			seen[k.Value] = k.Line
			if want := wantKind(ft); want != "" && !kindIs(val, want) {
				errs = append(errs, fmt.Sprintf("line %d: %s must be %s, not %s", val.Line, k.Value, want, describe(val)))
			}
		}
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return n.Decode(v)
}

// UnmarshalYAML decodes the top level strictly.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	type plain Config
	if err := strict(n, (*plain)(c), "the top level"); err != nil {
		return err
	}
	c.transcriptLines = keyLines{"": n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "transcripts" {
			c.transcriptLines[""] = n.Content[i+1].Line
		}
	}
	// Ports are plain numbers: keep their lines for the duplicate check.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "ports" {
			for _, item := range n.Content[i+1].Content {
				c.portLines = append(c.portLines, item.Line)
			}
		}
	}
	return nil
}

// UnmarshalYAML decodes a psns entry strictly and keeps its line.
func (p *PSN) UnmarshalYAML(n *yaml.Node) error {
	type plain PSN
	p.line = n.Line
	return strict(n, (*plain)(p), "a psns entry")
}

// UnmarshalYAML decodes the posture section strictly.
func (p *Posture) UnmarshalYAML(n *yaml.Node) error {
	type plain Posture
	p.line = n.Line
	return strict(n, (*plain)(p), "posture")
}

// UnmarshalYAML decodes a posture rule strictly and keeps its line.
func (r *PostureRule) UnmarshalYAML(n *yaml.Node) error {
	type plain PostureRule
	r.line = n.Line
	return strict(n, (*plain)(r), "a posture rule")
}

// UnmarshalYAML decodes a switches entry strictly and keeps its line.
func (s *Switch) UnmarshalYAML(n *yaml.Node) error {
	type plain Switch
	s.line = n.Line
	return strict(n, (*plain)(s), "a switches entry")
}

var unmarshaler = reflect.TypeFor[yaml.Unmarshaler]()

// wantKind says what a field of type t must be given as: "a list", "a
// mapping (key: value)", "a single value", or "" when its type checks for
// itself.
func wantKind(t reflect.Type) string {
	// A pointer field (*Secret) checks for itself too: its message must
	// not quote the value, which may be a secret written inline.
	if t.Implements(unmarshaler) || reflect.PointerTo(t).Implements(unmarshaler) {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping (key: value)"
	}
	return "a single value"
}

// kindIs reports whether n is what want names; nothing (null) is always
// accepted, as an absent key.
func kindIs(n *yaml.Node, want string) bool {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return true
	}
	switch want {
	case "a list":
		return n.Kind == yaml.SequenceNode
	case "a mapping (key: value)":
		return n.Kind == yaml.MappingNode
	}
	return n.Kind == yaml.ScalarNode
}

// scalar returns a node's value when it is a plain scalar.
func scalar(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", typeErr(n, "%s must be a single value, not %s", what, describe(n))
	}
	return n.Value, nil
}

// Addr is an IPv4 or IPv6 address in the file.
type Addr netip.Addr

// UnmarshalYAML parses the address.
func (a *Addr) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "an address")
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return typeErr(n, "%q is not an IPv4 or IPv6 address", s)
	}
	*a = Addr(ip.Unmap())
	return nil
}

// String returns the address.
func (a Addr) String() string { return netip.Addr(a).String() }

// Port is a TCP port in the file.
type Port uint16

// UnmarshalYAML parses the port.
func (p *Port) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "a port")
	if err != nil {
		return err
	}
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil || v == 0 {
		return typeErr(n, "%q is not a TCP port (1-65535)", s)
	}
	*p = Port(v)
	return nil
}

// PostureValue is a posture in the file: compliant, noncompliant, unknown,
// pending or unclassified.
type PostureValue collectors.Posture

// UnmarshalYAML parses the posture.
func (p *PostureValue) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "a posture")
	if err != nil {
		return err
	}
	v, err := collectors.ParsePosture(s)
	if err != nil {
		return typeErr(n, "%v", err)
	}
	*p = PostureValue(v)
	return nil
}

// Platform is a switch platform, named as the SSH library names them.
type Platform string

// The switch platforms syncwatch reads.
const (
	PlatformIOS   Platform = "cisco_ios"
	PlatformIOSXE Platform = "cisco_iosxe"
)

// UnmarshalYAML accepts only the platforms syncwatch reads.
func (p *Platform) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "a platform")
	if err != nil {
		return err
	}
	switch Platform(s) {
	case PlatformIOS, PlatformIOSXE:
		*p = Platform(s)
		return nil
	}
	return typeErr(n, "platform %q is not supported (cisco_ios or cisco_iosxe)", s)
}
