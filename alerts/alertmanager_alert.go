package alerts

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/syncwatch/syncwatch/capture"
)

// alertNames maps each finding kind to its Alertmanager alertname. The
// kinds are spelled out rather than taken from the Kind constants so that
// the table reads as the README's label table does.
var alertNames = map[Kind]string{
	"compliant-reached":    "SyncwatchCompliantEndpointReachedPSN",
	"not-blocked":          "SyncwatchCompliantEndpointNotBlocked",
	"race":                 "SyncwatchPostureDACLRace",
	"psn-not-listening":    "SyncwatchPSNNotListening",
	"sync-path-blocked":    "SyncwatchStateSyncPathBlocked",
	"psn-down":             "SyncwatchPSNDown",
	"state-sync-disabled":  "SyncwatchStateSyncDisabled",
	"unmanaged":            "SyncwatchUnmanagedEndpoint",
	"unclassified":         "SyncwatchUnclassifiedEndpoint",
	"dacl-permits-psn":     "SyncwatchDACLPermitsPSN",
	"dacl-blocks-sync":     "SyncwatchDACLBlocksStateSync",
	"dacl-missing":         "SyncwatchDACLMissing",
	"dacl-unevaluable":     "SyncwatchDACLUnevaluable",
	"posture-unclassified": "SyncwatchPostureUnclassified",
}

// AlertName returns the Alertmanager alertname of a finding kind: the
// README's table for the known kinds, "Syncwatch" and the kind in camel
// case for any other, so that a new kind still routes.
func AlertName(k Kind) string {
	if n, ok := alertNames[k]; ok {
		return n
	}
	var b strings.Builder
	b.WriteString("Syncwatch")
	up := true
	for _, r := range string(k) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if up {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// DefaultRunbookURL is where runbook_url points without configuration:
// the README's "Alerts and runbook" section, whose anchors are the kinds.
const DefaultRunbookURL = "https://github.com/syncwatch/syncwatch/blob/main/README.md"

// postableAlert is one alert of Alertmanager's POST /api/v2/alerts body.
type postableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// alertOptions are the parts of the configuration an alert's content
// depends on.
type alertOptions struct {
	runbookURL  string
	externalURL string // without a trailing slash; "" for none
	sensorLabel bool
}

// alertContent builds an alert's labels, annotations and generator URL
// from a finding; times are the lifecycle's business. Label values are
// what identifies the alert, so they hold only the finding's identity:
// the sensor is an annotation (unless configured as a label), so that
// two sensors that see the same fault make one alert in Alertmanager.
func alertContent(f *Finding, o *alertOptions) postableAlert {
	sev := f.Severity
	if sev == "" {
		sev = f.Kind.Severity()
	}
	a := postableAlert{Labels: map[string]string{}, Annotations: map[string]string{}}
	set := func(m map[string]string, k, v string) {
		if v != "" {
			m[k] = strings.ToValidUTF8(v, "\uFFFD")
		}
	}
	set(a.Labels, "alertname", AlertName(f.Kind))
	set(a.Labels, "severity", string(sev))
	set(a.Labels, "kind", string(f.Kind))
	set(a.Labels, "switch", f.Switch)
	set(a.Labels, "interface", f.Interface)
	if f.PSN.IsValid() {
		set(a.Labels, "psn", f.PSN.String())
	}
	if f.EndpointIP.IsValid() {
		set(a.Labels, "endpoint_ip", f.EndpointIP.String())
	}
	set(a.Labels, "endpoint_mac", f.EndpointMAC)
	set(a.Labels, "dacl", f.DACL)
	if o.sensorLabel {
		set(a.Labels, "sensor", f.Sensor)
	}

	summary := f.Summary
	if summary == "" {
		summary = fmt.Sprintf("syncwatch %s finding", f.Kind)
	}
	set(a.Annotations, "summary", summary)
	set(a.Annotations, "description", alertDescription(f))
	set(a.Annotations, "action", f.Action)
	if o.runbookURL != "" {
		set(a.Annotations, "runbook_url", o.runbookURL+"#"+string(f.Kind))
	}
	ev := f.Evidence
	if strings.HasPrefix(ev, "/") && o.externalURL != "" {
		ev = o.externalURL + ev
	}
	set(a.Annotations, "evidence", ev)
	set(a.Annotations, "sensor", f.Sensor)
	if o.externalURL != "" && f.Key != "" {
		a.GeneratorURL = o.externalURL + "/api/v1/findings?key=" + url.QueryEscape(f.Key)
	}
	return a
}

// maxDescribedSessions bounds the sessions an alert's description lists;
// the finding in the API lists them all.
const maxDescribedSessions = 5

// alertDescription tells an engineer what the finding rests on, one fact
// per line, leaving out what does not apply.
func alertDescription(f *Finding) string {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }

	if who := endpointText(f.EndpointIP.String(), f.EndpointIP.IsValid(), f.EndpointMAC); who != "" {
		where := joinNonEmpty(" ", f.Switch, f.Interface)
		line := "Endpoint " + who
		if where != "" {
			line += " on " + where
		}
		if f.SessionID != "" {
			line += ", session " + f.SessionID
		}
		if f.MatchedBy != "" {
			line += ", matched by " + string(f.MatchedBy)
		}
		lines = append(lines, line+".")
	} else if f.Switch != "" {
		add("Switch %s.", joinNonEmpty(" ", f.Switch, f.Interface))
	}
	if f.Posture != "" {
		line := "Posture " + string(f.Posture)
		if f.PostureRule != "" {
			line += " (rule " + f.PostureRule + ")"
		}
		if f.DACL != "" {
			line += ", dACL " + f.DACL
		}
		lines = append(lines, line+".")
	} else if f.DACL != "" {
		add("dACL %s.", f.DACL)
	}
	if f.ACLLine != "" {
		acl := f.ACL
		if acl == "" {
			acl = f.DACL
		}
		entry := "implicit deny"
		if f.ACLLineSeq != 0 {
			entry = "entry " + strconv.Itoa(f.ACLLineSeq)
		}
		add("Deciding ACL line: %s %s: %s.", acl, entry, f.ACLLine)
	}
	if f.PSN.IsValid() {
		psn := f.PSN.String()
		if f.PSNName != "" {
			psn = f.PSNName + " (" + psn + ")"
		}
		if f.Port != 0 {
			psn += " port " + strconv.Itoa(int(f.Port))
		}
		add("PSN %s.", psn)
	}
	if a := f.Attempt; a != nil {
		line := "Attempt: SYN at " + a.FirstSeen.UTC().Format(capture.TimeFormat) + ", " + a.Outcome.String()
		if !a.AnsweredAt.IsZero() {
			line += " at " + a.AnsweredAt.UTC().Format(capture.TimeFormat)
		}
		if a.HasICMP {
			line += fmt.Sprintf(" (ICMP type %d code %d from %s: %s)", a.ICMPType, a.ICMPCode, a.ICMPFrom, capture.ICMPMeaning(a.PSN.Is6() && !a.PSN.Is4In6(), a.ICMPCode))
		}
		if a.Late {
			line += ", late"
		}
		if a.Interface != "" {
			line += ", captured on " + a.Interface
		}
		lines = append(lines, line+".")
	}
	if !f.AuthzChangedAt.IsZero() {
		add("Last authorization change: %s.", f.AuthzChangedAt.UTC().Format(capture.TimeFormat))
	}
	if c := f.Confirm; c != nil {
		add("Confirmed at %s: posture %s, dACL %s, %s.", c.At.UTC().Format(capture.TimeFormat), orNone(string(c.Posture)), orNone(c.DACL), orNone(c.Verdict))
	}
	if n := len(f.Sessions); n > 0 {
		var refs []string
		for _, s := range f.Sessions[:min(n, maxDescribedSessions)] {
			refs = append(refs, joinNonEmpty(" ", s.Switch, s.Interface, endpointText(s.EndpointIP.String(), s.EndpointIP.IsValid(), s.EndpointMAC)))
		}
		line := fmt.Sprintf("Sessions (%d): %s", n, strings.Join(refs, "; "))
		if n > maxDescribedSessions {
			line += fmt.Sprintf("; and %d more", n-maxDescribedSessions)
		}
		lines = append(lines, line+".")
	}
	if f.Count > 0 && (!f.FirstSeen.IsZero() || !f.LastSeen.IsZero()) {
		add("Seen %d times, first %s, last %s.", f.Count, orNone(timeText(f.FirstSeen)), orNone(timeText(f.LastSeen)))
	}
	return strings.Join(lines, "\n")
}

func endpointText(ip string, hasIP bool, mac string) string {
	switch {
	case hasIP && mac != "":
		return ip + " (" + mac + ")"
	case hasIP:
		return ip
	}
	return mac
}

func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(capture.TimeFormat)
}
