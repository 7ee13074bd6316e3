package alerts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
)

// Kind names what a finding is about.
type Kind string

// The audit's finding kinds; the judge of traffic adds its own.
const (
	// KindDACLPermitsPSN: a compliant or noncompliant session's dACL
	// permits a SYN to a PSN's state-sync port.
	KindDACLPermitsPSN Kind = "dacl-permits-psn"
	// KindDACLBlocksSync: an unknown or pending session's dACL denies the
	// SYN, or its redirect ACL captures it.
	KindDACLBlocksSync Kind = "dacl-blocks-sync"
	// KindDACLMissing: a session names an ACL the switch did not list.
	KindDACLMissing Kind = "dacl-missing"
	// KindDACLUnevaluable: an ACL's verdict for the SYN cannot be known
	// (object-group, FQDN, unknown keyword, unknown source address).
	KindDACLUnevaluable Kind = "dacl-unevaluable"
	// KindPostureUnclassified: no posture rule classifies a dACL base name.
	KindPostureUnclassified Kind = "posture-unclassified"
)

// The judge's finding kinds: the verdict table of DOMAIN.md applied to
// captured attempts.
const (
	// KindCompliantReached: a compliant or noncompliant endpoint reached
	// a PSN's state-sync port through a dACL that permits it.
	KindCompliantReached Kind = "compliant-reached"
	// KindNotBlocked: such an endpoint's SYN got through to a PSN that
	// refused it; its dACL permits the port.
	KindNotBlocked Kind = "not-blocked"
	// KindRace: such an endpoint reached the port although its dACL, as
	// now applied, denies it: the probe came before the dACL (CSCwd58316)
	// or the dACL changed since.
	KindRace Kind = "race"
	// KindPSNNotListening: an unknown or pending endpoint's SYN reached a
	// PSN that refused it.
	KindPSNNotListening Kind = "psn-not-listening"
	// KindSyncPathBlocked: an unknown or pending endpoint's SYN went
	// unanswered or was answered by an ICMP error.
	KindSyncPathBlocked Kind = "sync-path-blocked"
	// KindPSNDown: many unknown or pending endpoints whose ACLs permit a
	// PSN failed to reach it while none reached it.
	KindPSNDown Kind = "psn-down"
	// KindStateSyncDisabled: after reaching a PSN, an endpoint stopped
	// probing: its agent disabled state sync.
	KindStateSyncDisabled Kind = "state-sync-disabled"
	// KindUnclassified: an attempt from a session no posture rule
	// classifies.
	KindUnclassified Kind = "unclassified"
	// KindUnmanaged: an attempt from an endpoint with no session on any
	// switch syncwatch reads.
	KindUnmanaged Kind = "unmanaged"
)

// Severity grades a finding: critical pages, warning and info do not.
type Severity string

// The severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// ParseSeverity returns the severity named s.
func ParseSeverity(s string) (Severity, error) {
	switch Severity(s) {
	case SeverityCritical, SeverityWarning, SeverityInfo:
		return Severity(s), nil
	}
	return "", fmt.Errorf("%q is not a severity (critical, warning or info)", s)
}

// Rank orders severities: info 1, warning 2, critical 3; 0 for anything else.
func (s Severity) Rank() int {
	switch s {
	case SeverityCritical:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// Severity returns the severity every finding of the kind has.
func (k Kind) Severity() Severity {
	switch k {
	case KindDACLPermitsPSN, KindCompliantReached, KindPSNDown:
		return SeverityCritical
	case KindPostureUnclassified, KindUnclassified, KindUnmanaged:
		return SeverityInfo
	}
	return SeverityWarning
}

// Traffic reports whether findings of the kind come from judging captured
// attempts rather than from the audit of switch configuration.
func (k Kind) Traffic() bool {
	switch k {
	case KindCompliantReached, KindNotBlocked, KindRace, KindPSNNotListening, KindSyncPathBlocked,
		KindPSNDown, KindStateSyncDisabled, KindUnclassified, KindUnmanaged:
		return true
	}
	return false
}

// KeyOf joins a finding's identifying parts with "|", the form of the key
// field: "dacl-permits-psn|xACSACLx-IP-NAME-5f152814|10.0.0.13|8449".
func KeyOf(parts ...string) string { return strings.Join(parts, "|") }

// SessionRef names one session a finding affects.
type SessionRef struct {
	Switch      string
	Interface   string
	EndpointIP  netip.Addr // the address the finding concerns; zero when unknown
	EndpointMAC string
	SessionID   string
}

// MarshalJSON renders {"switch", "interface", "endpoint_ip",
// "endpoint_mac", "session_id"}, null where unknown.
func (s SessionRef) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Switch      *string     `json:"switch"`
		Interface   *string     `json:"interface"`
		EndpointIP  *netip.Addr `json:"endpoint_ip"`
		EndpointMAC *string     `json:"endpoint_mac"`
		SessionID   *string     `json:"session_id"`
	}{str(s.Switch), str(s.Interface), addr(s.EndpointIP), str(s.EndpointMAC), str(s.SessionID)})
}

// Confirm records a fresh look at the switch after a finding: when, and
// what posture, dACL and verdict it showed.
type Confirm struct {
	At      time.Time
	Posture collectors.Posture
	DACL    string
	Verdict string
}

// Finding is the one finding schema of syncwatch: audit, analyze, the API,
// webhooks and logs all use it. Fields that do not apply are zero and
// appear as null in JSON.
type Finding struct {
	Kind     Kind
	Severity Severity
	// Key identifies the finding across runs and sensors (KeyOf).
	Key string

	EndpointIP  netip.Addr
	EndpointMAC string
	Switch      string
	Interface   string
	SessionID   string
	Posture     collectors.Posture
	PostureRule string
	DACL        string
	// ACL names the access list that decided (the dACL, or the redirect
	// ACL), ACLLine its deciding entry and ACLLineSeq that entry's
	// sequence number (0 for the implicit deny at the end).
	ACL        string
	ACLLine    string
	ACLLineSeq int
	PSN        netip.Addr
	PSNName    string
	Port       uint16
	// Sessions lists the sessions an audit finding affects; nil for
	// findings about one attempt.
	Sessions []SessionRef

	Attempt        *capture.Attempt
	MatchedBy      collectors.MatchKey
	AuthzChangedAt time.Time
	Confirm        *Confirm
	// Evidence is where the finding's evidence capture can be fetched.
	Evidence  string
	Sensor    string
	FirstSeen time.Time
	LastSeen  time.Time
	Count     int

	Summary string
	Action  string
}

// findingJSON fixes the field order and names of the schema.
type findingJSON struct {
	Kind           Kind            `json:"kind"`
	Severity       Severity        `json:"severity"`
	Key            string          `json:"key"`
	EndpointIP     *netip.Addr     `json:"endpoint_ip"`
	EndpointMAC    *string         `json:"endpoint_mac"`
	Switch         *string         `json:"switch"`
	Interface      *string         `json:"interface"`
	SessionID      *string         `json:"session_id"`
	Posture        *string         `json:"posture"`
	PostureRule    *string         `json:"posture_rule"`
	DACL           *string         `json:"dacl"`
	ACL            *string         `json:"acl"`
	ACLLine        *string         `json:"acl_line"`
	ACLLineSeq     *int            `json:"acl_line_seq"`
	PSN            *netip.Addr     `json:"psn"`
	PSNName        *string         `json:"psn_name"`
	Port           *uint16         `json:"port"`
	Sessions       []SessionRef    `json:"sessions"`
	Attempt        json.RawMessage `json:"attempt"`
	MatchedBy      *string         `json:"matched_by"`
	AuthzChangedAt *string         `json:"authz_changed_at"`
	Confirm        *confirmJSON    `json:"confirm"`
	Evidence       *string         `json:"evidence"`
	Sensor         *string         `json:"sensor"`
	FirstSeen      *string         `json:"first_seen"`
	LastSeen       *string         `json:"last_seen"`
	Count          *int            `json:"count"`
	Summary        string          `json:"summary"`
	Action         string          `json:"action"`
}

type confirmJSON struct {
	At      *string `json:"at"`
	Posture *string `json:"posture"`
	DACL    *string `json:"dacl"`
	Verdict *string `json:"verdict"`
}

// MarshalJSON renders the finding with every field of the schema, in the
// schema's order, null where it does not apply.
func (f *Finding) MarshalJSON() ([]byte, error) {
	j := findingJSON{
		Kind: f.Kind, Severity: f.Severity, Key: f.Key,
		EndpointIP: addr(f.EndpointIP), EndpointMAC: str(f.EndpointMAC),
		Switch: str(f.Switch), Interface: str(f.Interface), SessionID: str(f.SessionID),
		Posture: str(string(f.Posture)), PostureRule: str(f.PostureRule),
		DACL: str(f.DACL), ACL: str(f.ACL), ACLLine: str(f.ACLLine),
		PSN: addr(f.PSN), PSNName: str(f.PSNName),
		Sessions:       f.Sessions,
		Attempt:        json.RawMessage("null"),
		MatchedBy:      str(string(f.MatchedBy)),
		AuthzChangedAt: timeStr(f.AuthzChangedAt),
		Evidence:       str(f.Evidence), Sensor: str(f.Sensor),
		FirstSeen: timeStr(f.FirstSeen), LastSeen: timeStr(f.LastSeen),
		Summary: f.Summary, Action: f.Action,
	}
	if f.ACLLineSeq != 0 {
		seq := f.ACLLineSeq
		j.ACLLineSeq = &seq
	}
	if f.Port != 0 {
		port := f.Port
		j.Port = &port
	}
	if f.Count != 0 {
		n := f.Count
		j.Count = &n
	}
	if f.Attempt != nil {
		j.Attempt = f.Attempt.AppendJSON(nil)
	}
	if c := f.Confirm; c != nil {
		j.Confirm = &confirmJSON{At: timeStr(c.At), Posture: str(string(c.Posture)), DACL: str(c.DACL), Verdict: str(c.Verdict)}
	}
	// Actions quote ISE menu paths ("Policy > Policy Elements"): keep ">"
	// readable.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func addr(a netip.Addr) *netip.Addr {
	if !a.IsValid() {
		return nil
	}
	return &a
}

func timeStr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(capture.TimeFormat)
	return &s
}
