package alerts

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
)

func TestFindingJSON(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 15, 4, 120000000, time.FixedZone("CET", 3600))
	attempt := &capture.Attempt{
		Client: netip.MustParseAddr("10.1.10.23"), ClientPort: 50123, PSN: netip.MustParseAddr("10.0.0.13"), Port: 8449,
		Outcome: capture.Accepted, SYNSeen: true, SYNs: 1, FirstSeen: at, AnsweredAt: at.Add(2 * time.Millisecond), Interface: "span0",
	}
	traffic := Finding{
		Kind: "compliant-reached", Severity: SeverityCritical, Key: KeyOf("compliant-reached", "a4:bb:6d:10:22:03", "10.0.0.13", "8449"),
		EndpointIP: netip.MustParseAddr("10.1.10.23"), EndpointMAC: "a4:bb:6d:10:22:03",
		Switch: "access-sw1", Interface: "GigabitEthernet1/0/3", SessionID: "0A0114020000001B2B3C4D02",
		Posture: collectors.PostureCompliant, PostureRule: "dacl:(?i)compliant", DACL: compliantV1, ACL: compliantV1,
		ACLLine: "permit ip any any", ACLLineSeq: 30, PSN: netip.MustParseAddr("10.0.0.13"), PSNName: "psn3", Port: 8449,
		Attempt: attempt, MatchedBy: collectors.MatchIPv4, AuthzChangedAt: at.Add(-time.Hour),
		Confirm:  &Confirm{At: at.Add(5 * time.Second), Posture: collectors.PostureCompliant, DACL: compliantV1, Verdict: "permit"},
		Evidence: "/var/lib/syncwatch/evidence/1.pcapng", Sensor: "span-host-1", FirstSeen: at, LastSeen: at, Count: 1,
		Summary: "s", Action: "add `deny tcp any host 10.0.0.13 eq 8449` before entry 30 of dACL EMPLOYEE_COMPLIANT in ISE (Policy > Policy Elements)",
	}
	got, err := marshal(&traffic)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"compliant-reached","severity":"critical","key":"compliant-reached|a4:bb:6d:10:22:03|10.0.0.13|8449",` +
		`"endpoint_ip":"10.1.10.23","endpoint_mac":"a4:bb:6d:10:22:03","switch":"access-sw1","interface":"GigabitEthernet1/0/3",` +
		`"session_id":"0A0114020000001B2B3C4D02","posture":"compliant","posture_rule":"dacl:(?i)compliant",` +
		`"dacl":"xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814","acl":"xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814",` +
		`"acl_line":"permit ip any any","acl_line_seq":30,"psn":"10.0.0.13","psn_name":"psn3","port":8449,"sessions":null,` +
		`"attempt":{"client":"10.1.10.23","client_port":50123,"client_mac":null,"psn":"10.0.0.13","port":8449,"outcome":"accepted",` +
		`"syn_seen":true,"inferred":false,"late":false,"syns":1,"incomplete":false,"first_seen":"2026-03-02T08:15:04.120000000Z",` +
		`"answered_at":"2026-03-02T08:15:04.122000000Z","rtt_seconds":0.002,"vlans":[],"interface":"span0","icmp":null},` +
		`"matched_by":"ipv4","authz_changed_at":"2026-03-02T07:15:04.120000000Z",` +
		`"confirm":{"at":"2026-03-02T08:15:09.120000000Z","posture":"compliant","dacl":"xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814","verdict":"permit"},` +
		`"evidence":"/var/lib/syncwatch/evidence/1.pcapng","sensor":"span-host-1",` +
		`"first_seen":"2026-03-02T08:15:04.120000000Z","last_seen":"2026-03-02T08:15:04.120000000Z","count":1,` +
		`"summary":"s","action":"add ` + "`deny tcp any host 10.0.0.13 eq 8449`" + ` before entry 30 of dACL EMPLOYEE_COMPLIANT in ISE (Policy > Policy Elements)"}`
	if got != want {
		t.Errorf("traffic finding:\n%s\nwant\n%s", got, want)
	}

	audit := Finding{Kind: KindDACLMissing, Severity: KindDACLMissing.Severity(), Key: "dacl-missing|X|sw1", Switch: "sw1", ACL: "X",
		Sessions: []SessionRef{{Switch: "sw1", Interface: "GigabitEthernet1/0/7", EndpointMAC: "a4:bb:6d:10:22:07"}}, Count: 1}
	got, err = marshal(&audit)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"kind":"dacl-missing","severity":"warning","key":"dacl-missing|X|sw1","endpoint_ip":null,"endpoint_mac":null,` +
		`"switch":"sw1","interface":null,"session_id":null,"posture":null,"posture_rule":null,"dacl":null,"acl":"X",` +
		`"acl_line":null,"acl_line_seq":null,"psn":null,"psn_name":null,"port":null,` +
		`"sessions":[{"switch":"sw1","interface":"GigabitEthernet1/0/7","endpoint_ip":null,"endpoint_mac":"a4:bb:6d:10:22:07","session_id":null}],` +
		`"attempt":null,"matched_by":null,"authz_changed_at":null,"confirm":null,"evidence":null,"sensor":null,` +
		`"first_seen":null,"last_seen":null,"count":1,"summary":"","action":""}`
	if got != want {
		t.Errorf("audit finding:\n%s\nwant\n%s", got, want)
	}
}

// marshal encodes v as syncwatch's commands do: ">" in ISE menu paths
// stays readable.
func marshal(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n"), err
}

func TestSeverities(t *testing.T) {
	kinds := map[Kind]Severity{
		KindDACLPermitsPSN: SeverityCritical, KindDACLBlocksSync: SeverityWarning, KindDACLMissing: SeverityWarning,
		KindDACLUnevaluable: SeverityWarning, KindPostureUnclassified: SeverityInfo,
	}
	for k, s := range kinds {
		if k.Severity() != s {
			t.Errorf("%s: %s, want %s", k, k.Severity(), s)
		}
	}
	for i, s := range []Severity{SeverityInfo, SeverityWarning, SeverityCritical} {
		if s.Rank() != i+1 {
			t.Errorf("%s rank %d", s, s.Rank())
		}
		if p, err := ParseSeverity(string(s)); p != s || err != nil {
			t.Errorf("ParseSeverity(%s) = %s, %v", s, p, err)
		}
	}
	if _, err := ParseSeverity("error"); err == nil || err.Error() != `"error" is not a severity (critical, warning or info)` {
		t.Errorf("ParseSeverity(error): %v", err)
	}
	if Severity("x").Rank() != 0 {
		t.Error("unknown severity ranks")
	}
}
