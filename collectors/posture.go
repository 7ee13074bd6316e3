package collectors

import (
	"fmt"
	"regexp"
	"strings"
)

// Posture is what syncwatch takes a session's posture status to be; the
// same strings appear in JSON, in the config file and in flags.
type Posture string

// The posture values. Compliant and NonCompliant sessions must not reach
// the PSNs' state-sync port, Unknown and Pending ones must; nothing is
// expected of an Unclassified session (phones, printers, posture not
// required).
const (
	PostureCompliant    Posture = "compliant"
	PostureNonCompliant Posture = "noncompliant"
	PostureUnknown      Posture = "unknown"
	PosturePending      Posture = "pending"
	PostureUnclassified Posture = "unclassified"
)

// Postures lists the posture values in the order the documentation gives
// them.
func Postures() []Posture {
	return []Posture{PostureCompliant, PostureNonCompliant, PostureUnknown, PosturePending, PostureUnclassified}
}

// ParsePosture returns the posture named s, exactly as spelt in Postures.
func ParsePosture(s string) (Posture, error) {
	for _, p := range Postures() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("%q is not a posture (compliant, noncompliant, unknown, pending or unclassified)", s)
}

// MustBlock reports whether the state-sync port must be blocked for a
// session in this posture (Compliant, NonCompliant).
func (p Posture) MustBlock() bool { return p == PostureCompliant || p == PostureNonCompliant }

// MustReach reports whether the state-sync port must be reachable for a
// session in this posture (Unknown, Pending).
func (p Posture) MustReach() bool { return p == PostureUnknown || p == PosturePending }

// RuleDefault names the posture decision no rule made: unclassified.
const RuleDefault = "default"

// PostureRule gives a posture to the sessions it matches: those whose dACL
// base name (DACLBaseName, IPv4 or IPv6 dACL) matches Pattern, or, for a
// redirect rule, those with a URL redirect matching Pattern (any redirect
// when Pattern is nil).
type PostureRule struct {
	Redirect bool
	Pattern  *regexp.Regexp
	Posture  Posture
}

// NewDACLRule returns a rule matching dACL base names against the regular
// expression pattern (RE2 syntax, unanchored).
func NewDACLRule(pattern string, p Posture) (PostureRule, error) {
	if pattern == "" {
		return PostureRule{}, fmt.Errorf("a dACL rule needs a pattern")
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return PostureRule{}, fmt.Errorf("dACL pattern %q: %w", pattern, err)
	}
	return PostureRule{Pattern: re, Posture: p}, nil
}

// NewRedirectRule returns a rule matching sessions with a URL redirect; an
// empty pattern matches any redirect, else the redirect URL must match it
// (e.g. "action=cpp", ISE's client provisioning portal).
func NewRedirectRule(pattern string, p Posture) (PostureRule, error) {
	r := PostureRule{Redirect: true, Posture: p}
	if pattern == "" {
		return r, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return PostureRule{}, fmt.Errorf("URL redirect pattern %q: %w", pattern, err)
	}
	r.Pattern = re
	return r, nil
}

// Name identifies the rule in findings and JSON: "dacl:PATTERN",
// "url-redirect" or "url-redirect:PATTERN".
func (r PostureRule) Name() string {
	switch {
	case r.Redirect && r.Pattern == nil:
		return "url-redirect"
	case r.Redirect:
		return "url-redirect:" + r.Pattern.String()
	case r.Pattern == nil:
		return "dacl:"
	}
	return "dacl:" + r.Pattern.String()
}

// match reports whether the rule applies to a session with these dACLs and
// redirect URL.
func (r PostureRule) match(dacl, daclV6, urlRedirect string) bool {
	if r.Redirect {
		return urlRedirect != "" && (r.Pattern == nil || r.Pattern.MatchString(urlRedirect))
	}
	if r.Pattern == nil {
		return false
	}
	return dacl != "" && r.Pattern.MatchString(DACLBaseName(dacl)) ||
		daclV6 != "" && r.Pattern.MatchString(DACLBaseName(daclV6))
}

// PostureRules are tried in order; the first that matches decides.
type PostureRules []PostureRule

// DefaultPostureRules are the rules without configuration: a dACL base name
// matching (?i)non.?compliant is noncompliant, else one matching
// (?i)compliant is compliant; a URL redirect is unknown; anything else is
// unclassified.
func DefaultPostureRules() PostureRules {
	return PostureRules{
		{Pattern: regexp.MustCompile(`(?i)non.?compliant`), Posture: PostureNonCompliant},
		{Pattern: regexp.MustCompile(`(?i)compliant`), Posture: PostureCompliant},
		{Redirect: true, Posture: PostureUnknown},
	}
}

// Classify returns the posture of a session with the given IPv4 and IPv6
// dACL names (full names, as the switch shows them) and redirect URL, and
// the Name of the rule that decided, or RuleDefault.
func (rs PostureRules) Classify(dacl, daclV6, urlRedirect string) (Posture, string) {
	for _, r := range rs {
		if r.match(dacl, daclV6, urlRedirect) {
			return r.Posture, r.Name()
		}
	}
	return PostureUnclassified, RuleDefault
}

// dACL name prefixes: the switch's (xACSACLx) and the RADIUS attribute's
// (#ACSACL#) spelling, IPv6 first since "-IP-" is a prefix of neither.
var daclPrefixes = [...]string{"xACSACLx-IPV6-", "xACSACLx-IP-", "#ACSACL#-IPV6-", "#ACSACL#-IP-"}

// daclVersionLen is the length of the hexadecimal version ISE appends to a
// dACL name and changes on every edit ("-5f152814").
const daclVersionLen = 8

// DACLBaseName returns a dACL's name as ISE shows it in its policy
// elements: without the "xACSACLx-IP-" / "xACSACLx-IPV6-" prefix and without
// the trailing "-<8 hex digits>" version, so that a rule keeps matching after
// every edit of the dACL. A name without the prefix (a switch-local ACL) is
// returned unchanged.
func DACLBaseName(name string) string {
	for _, p := range daclPrefixes {
		if len(name) > len(p) && strings.EqualFold(name[:len(p)], p) {
			return stripVersion(name[len(p):])
		}
	}
	return name
}

// IsDACLName reports whether name is a downloadable ACL's name as the
// switch shows it (it starts with xACSACLx-IP- or xACSACLx-IPV6-).
func IsDACLName(name string) bool { return DACLBaseName(name) != name }

func stripVersion(s string) string {
	n := len(s) - daclVersionLen - 1
	if n < 1 || s[n] != '-' {
		return s
	}
	for i := n + 1; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return s
		}
	}
	return s[:n]
}
