package alerts

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/collectors"
)

// session writes one session in the IOS-XE details layout; empty values
// are left out, "Unknown" addresses printed as the switch prints them.
type session struct {
	iface, mac, ipv4, ipv6    string
	dacl, dacl6               string
	redirectACL, redirectURL  string
	redirectACLv6, preauthACL string
	filterID                  string
}

const postureURL = "https://ise-psn1.example.com:8443/portal/gateway?sessionId=0A01&portal=27b1bc30&action=cpp&token=5c7a"

func (s session) text(i int) string {
	var b strings.Builder
	unknown := func(v string) string {
		if v == "" {
			return "Unknown"
		}
		return v
	}
	fmt.Fprintf(&b, "            Interface:  %s\n          MAC Address:  %s\n         IPv6 Address:  %s\n         IPv4 Address:  %s\n",
		s.iface, s.mac, unknown(s.ipv6), unknown(s.ipv4))
	fmt.Fprintf(&b, "               Status:  Authorized\n               Domain:  DATA\n    Common Session ID:  0A0A0A0A00000000000000%02X\n\nServer Policies:\n", i)
	for _, kv := range [][2]string{{"URL Redirect ACL IPv4", s.redirectACL}, {"URL Redirect ACL IPv6", s.redirectACLv6}, {"URL Redirect", s.redirectURL},
		{"ACS ACL", s.dacl}, {"ACS ACL IPV6", s.dacl6}, {"Preauth ACL IPv4", s.preauthACL}, {"Filter-ID", s.filterID}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%21s:  %s\n", kv[0], kv[1])
		}
	}
	b.WriteString("\nMethod status list:\n       Method           State\n        dot1x           Authc Success\n")
	return b.String()
}

// transcript is one switch's transcript: its sessions and ACL listing
// (IPv4 "Extended IP access list" and IPv6 "IPv6 access list" blocks).
func transcript(name string, sessions []session, acls string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s#show access-session details\n", name)
	for i, s := range sessions {
		if i > 0 {
			b.WriteString("----------------------------------------\n")
		}
		b.WriteString(s.text(i))
	}
	fmt.Fprintf(&b, "%s#show access-lists\n%s", name, acls)
	return b.String()
}

// dacl lists a per-user IPv4 dACL with entries numbered 10, 20, ...
func dacl(name string, entries ...string) string {
	return listing("Extended IP access list "+name+" (per-user)", entries)
}

func dacl6(name string, entries ...string) string {
	var b strings.Builder
	b.WriteString("IPv6 access list " + name + " (per-user)\n")
	for i, e := range entries {
		fmt.Fprintf(&b, "    %s sequence %d\n", e, 10*(i+1))
	}
	return b.String()
}

func local(name string, entries ...string) string {
	return listing("Extended IP access list "+name, entries)
}

func listing(header string, entries []string) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i, e := range entries {
		fmt.Fprintf(&b, "    %d %s\n", 10*(i+1), e)
	}
	return b.String()
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

var threePSNs = []PSN{{"psn1", addrs("10.0.0.11", "2001:db8::11")}, {"psn2", addrs("10.0.0.12")}, {"psn3", addrs("10.0.0.13")}}

// brief renders the parts of a finding the tests compare.
func brief(f *Finding) string {
	var ss []string
	for _, s := range f.Sessions {
		ip := "-"
		if s.EndpointIP.IsValid() {
			ip = s.EndpointIP.String()
		}
		ss = append(ss, s.Switch+" "+s.Interface+" "+ip+" "+s.EndpointMAC)
	}
	return fmt.Sprintf("%s %s | acl=%s line=%q seq=%d | switch=%s posture=%s rule=%s dacl=%s | %s",
		f.Severity, f.Key, f.ACL, f.ACLLine, f.ACLLineSeq, f.Switch, f.Posture, f.PostureRule, f.DACL, strings.Join(ss, "; "))
}

func briefs(fs []Finding) []string {
	var out []string
	for i := range fs {
		out = append(out, brief(&fs[i]))
	}
	return out
}

func snapshot(t *testing.T, switches ...string) *collectors.Snapshot {
	t.Helper()
	var tr collectors.Transcripts
	for i := 0; i+1 < len(switches); i += 2 {
		tr.Add(switches[i]+".log", switches[i+1])
	}
	snap, ws := tr.Snapshot()
	for _, w := range ws {
		t.Errorf("transcript warning: %s", w)
	}
	return snap
}

const (
	compliantV1 = "xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814"
	compliantV2 = "xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22"
	compliant6  = "xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6"
	redirectD   = "xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12"
	pc1         = "a4bb.6d10.2203"
)

// TestAuditSmallInputs runs every small input of issue 3 (section 4) and
// some more, each with its exact findings.
func TestAuditSmallInputs(t *testing.T) {
	pc := session{iface: "GigabitEthernet1/0/3", mac: pc1, ipv4: "10.1.10.23", dacl: compliantV1}
	tests := []struct {
		name     string
		sessions []session
		acls     string
		psns     []PSN
		ports    []uint16
		rules    collectors.PostureRules
		want     []string
		// summary and action, when given, are the first finding's.
		summary, action string
	}{
		{
			name:     "permit established above the denies: a SYN is still denied",
			sessions: []session{pc},
			acls: dacl(compliantV1, "permit tcp any any established", "deny tcp any host 10.0.0.11 eq 8449",
				"deny tcp any host 10.0.0.12 eq 8449", "deny tcp any host 10.0.0.13 eq 8449", "permit ip any any"),
			psns: threePSNs,
		},
		{
			name:     "the deny holds only while its time-range is active: unevaluable, named",
			sessions: []session{pc},
			acls:     dacl(compliantV1, "deny tcp any host 10.0.0.12 eq 8449 time-range OFFICE (active)", "permit ip any any"),
			psns:     []PSN{{"psn2", addrs("10.0.0.12")}},
			want: []string{
				`warning dacl-unevaluable|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.12|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="deny tcp any host 10.0.0.12 eq 8449 time-range OFFICE (active)" seq=10 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
			summary: "dACL xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 cannot be judged for TCP 8449 to PSN psn2 (10.0.0.12) at entry 10 (`deny tcp any host 10.0.0.12 eq 8449 time-range OFFICE (active)`): " +
				"it holds only while time-range OFFICE is active (the switch shows it active now); outside it, the entries after entry 10 decide; 1 compliant session",
			action: "remove `time-range OFFICE` from entry 10 (`deny tcp any host 10.0.0.12 eq 8449 time-range OFFICE (active)`) of dACL EMPLOYEE_COMPLIANT in ISE (Policy > Policy Elements > Results > Authorization > Downloadable ACLs), so that it holds at all hours",
		},
		{
			name:     "an inactive time-range permit above the deny opens the port at those hours: unevaluable, named",
			sessions: []session{pc},
			acls:     dacl(compliantV1, "permit ip any any time-range WEEKEND (inactive)", "deny tcp any host 10.0.0.12 eq 8449", "permit ip any any"),
			psns:     []PSN{{"psn2", addrs("10.0.0.12")}},
			want: []string{
				`warning dacl-unevaluable|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.12|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="permit ip any any time-range WEEKEND (inactive)" seq=10 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
			summary: "dACL xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 cannot be judged for TCP 8449 to PSN psn2 (10.0.0.12) at entry 10 (`permit ip any any time-range WEEKEND (inactive)`): " +
				"time-range WEEKEND is inactive now (as the switch shows it); while it is active, entry 10 permits the SYN; 1 compliant session",
			action: "add `deny tcp any host 10.0.0.12 eq 8449` before entry 10 (`permit ip any any time-range WEEKEND (inactive)`) of dACL EMPLOYEE_COMPLIANT in ISE (Policy > Policy Elements > Results > Authorization > Downloadable ACLs), so that the port stays closed while time-range WEEKEND is active",
		},
		{
			name:     "an inactive time-range entry of another port changes nothing",
			sessions: []session{pc},
			acls:     dacl(compliantV1, "permit tcp any any eq 443 time-range WEEKEND (inactive)", "deny tcp any host 10.0.0.12 eq 8449", "permit ip any any"),
			psns:     []PSN{{"psn2", addrs("10.0.0.12")}},
		},
		{
			name:     "unknown posture: an inactive time-range deny above the permit blocks sync at those hours",
			sessions: []session{{iface: "GigabitEthernet1/0/4", mac: "a4bb.6d10.2204", ipv4: "10.1.10.24", dacl: redirectD, redirectURL: postureURL}},
			acls:     dacl(redirectD, "deny ip any any time-range NIGHT (inactive)", "permit tcp any host 10.0.0.12 eq 8449", "deny ip any any"),
			psns:     []PSN{{"psn2", addrs("10.0.0.12")}},
			want: []string{
				`warning dacl-unevaluable|xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12|10.0.0.12|8449 | acl=xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 line="deny ip any any time-range NIGHT (inactive)" seq=10 | switch= posture=unknown rule=url-redirect dacl=xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 | SW1 GigabitEthernet1/0/4 10.1.10.24 a4:bb:6d:10:22:04`,
			},
			action: "add `permit tcp any host 10.0.0.12 eq 8449` before entry 10 (`deny ip any any time-range NIGHT (inactive)`) of dACL POSTURE_REDIRECT in ISE (Policy > Policy Elements > Results > Authorization > Downloadable ACLs), so that the port stays open while time-range NIGHT is active",
		},
		{
			name:     "a permit that holds only while its time-range is active still permits now",
			sessions: []session{pc},
			acls:     dacl(compliantV1, "permit tcp any host 10.0.0.12 eq 8449 time-range OFFICE (active)", "deny ip any any"),
			psns:     []PSN{{"psn2", addrs("10.0.0.12")}},
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.12|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="permit tcp any host 10.0.0.12 eq 8449 time-range OFFICE (active)" seq=10 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
		},
		{
			name:     "unknown posture: the permit holds only while its time-range is active",
			sessions: []session{{iface: "GigabitEthernet1/0/4", mac: "a4bb.6d10.2204", ipv4: "10.1.10.24", dacl: redirectD, redirectURL: postureURL}},
			acls:     dacl(redirectD, "permit tcp any host 10.0.0.12 eq 8449 time-range OFFICE (active)", "deny ip any any"),
			psns:     []PSN{{"psn2", addrs("10.0.0.12")}},
			want: []string{
				`warning dacl-unevaluable|xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12|10.0.0.12|8449 | acl=xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 line="permit tcp any host 10.0.0.12 eq 8449 time-range OFFICE (active)" seq=10 | switch= posture=unknown rule=url-redirect dacl=xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 | SW1 GigabitEthernet1/0/4 10.1.10.24 a4:bb:6d:10:22:04`,
			},
		},
		{
			name:     "permit tcp any any shadows the deny: the finding names the permit",
			sessions: []session{pc},
			acls:     dacl(compliantV1, "permit tcp any any", "deny tcp any host 10.0.0.12 eq 8449", "permit ip any any"),
			psns:     []PSN{{"psn2", addrs("10.0.0.12")}},
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.12|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="permit tcp any any" seq=10 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
		},
		{
			name:     "denies for .11 and .12, PSN list .11 .12 .13: .13 is permitted",
			sessions: []session{pc},
			acls:     dacl(compliantV1, "deny tcp any host 10.0.0.11 eq 8449", "deny tcp any host 10.0.0.12 eq 8449", "permit ip any any"),
			psns:     threePSNs,
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.13|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="permit ip any any" seq=30 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
		},
		{
			name:     "a network and a port range deny all three",
			sessions: []session{pc},
			acls:     dacl(compliantV1, "deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450", "permit ip any any"),
			psns:     threePSNs,
		},
		{
			name: "the IPv4 dACL denies, the IPv6 dACL lacks the deny: the IPv6 path is permitted",
			sessions: []session{{iface: "GigabitEthernet1/0/3", mac: pc1, ipv4: "10.1.10.23", ipv6: "2001:db8:10::23, fe80::1",
				dacl: compliantV1, dacl6: compliant6}},
			acls: dacl(compliantV1, "deny tcp any host 10.0.0.11 eq 8449", "permit ip any any") +
				dacl6(compliant6, "permit tcp any host 2001:DB8::11 eq 443", "permit ipv6 any any"),
			psns: []PSN{{"psn1", addrs("10.0.0.11", "2001:db8::11")}},
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6|2001:db8::11|8449 | acl=xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6 line="permit ipv6 any any" seq=20 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6 | SW1 GigabitEthernet1/0/3 2001:db8:10::23 a4:bb:6d:10:22:03`,
			},
		},
		{
			name: "redirect ACL permit tcp any any captures the probe of an unknown session",
			sessions: []session{{iface: "GigabitEthernet1/0/5", mac: "a4bb.6d10.2205", ipv4: "10.1.10.25",
				redirectACL: "REDIRECT_ALL_TCP", redirectURL: postureURL}},
			acls: local("REDIRECT_ALL_TCP", "permit tcp any any"),
			psns: []PSN{{"psn1", addrs("10.0.0.11")}},
			want: []string{
				`warning dacl-blocks-sync|REDIRECT_ALL_TCP|10.0.0.11|8449|SW1 | acl=REDIRECT_ALL_TCP line="permit tcp any any" seq=10 | switch=SW1 posture=unknown rule=url-redirect dacl= | SW1 GigabitEthernet1/0/5 10.1.10.25 a4:bb:6d:10:22:05`,
			},
		},
		{
			name: "redirect ACL that denies the PSN first and redirects only web traffic is fine",
			sessions: []session{{iface: "GigabitEthernet1/0/5", mac: "a4bb.6d10.2205", ipv4: "10.1.10.25",
				redirectACL: "REDIRECT_WEB", redirectURL: postureURL}},
			acls: local("REDIRECT_WEB", "deny ip any host 10.0.0.11", "permit tcp any any eq www", "permit tcp any any eq 443"),
			psns: []PSN{{"psn1", addrs("10.0.0.11")}},
		},
		{
			name:     "a dACL renamed by ISE keeps its compliant role",
			sessions: []session{pc, {iface: "GigabitEthernet1/0/7", mac: "a4bb.6d10.2207", ipv4: "10.1.10.27", dacl: compliantV2}},
			acls: dacl(compliantV1, "deny tcp any host 10.0.0.11 eq 8449", "permit ip any any") +
				dacl(compliantV2, "deny tcp any host 10.0.0.11 eq 8449", "deny tcp any host 10.0.0.12 eq 8449", "permit ip any any"),
			psns: []PSN{{"psn1", addrs("10.0.0.11")}, {"psn2", addrs("10.0.0.12")}},
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.12|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="permit ip any any" seq=20 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
		},
		{
			name:     "a phone's dACL: unclassified, no audit expectation, one info finding",
			sessions: []session{{iface: "GigabitEthernet1/0/3", mac: "0050.56a1.0a03", ipv4: "10.1.20.31", dacl: "xACSACLx-IP-PHONES-1a2b3c4d"}, {iface: "GigabitEthernet1/0/4", mac: "0050.56a1.0a04", dacl: "xACSACLx-IP-PHONES-1a2b3c4d"}},
			acls:     dacl("xACSACLx-IP-PHONES-1a2b3c4d", "permit ip any any"),
			psns:     threePSNs,
			want: []string{
				`info posture-unclassified|PHONES | acl= line="" seq=0 | switch= posture=unclassified rule=default dacl=xACSACLx-IP-PHONES-1a2b3c4d | SW1 GigabitEthernet1/0/3 10.1.20.31 00:50:56:a1:0a:03; SW1 GigabitEthernet1/0/4 - 00:50:56:a1:0a:04`,
			},
		},
		{
			name:     "a configured rule that says unclassified silences the info finding",
			sessions: []session{{iface: "GigabitEthernet1/0/3", mac: "0050.56a1.0a03", ipv4: "10.1.20.31", dacl: "xACSACLx-IP-PHONES-1a2b3c4d"}},
			acls:     dacl("xACSACLx-IP-PHONES-1a2b3c4d", "permit ip any any"),
			psns:     threePSNs,
			rules:    append(collectors.PostureRules{mustRule(t, "^PHONES$", collectors.PostureUnclassified)}, collectors.DefaultPostureRules()...),
		},
		{
			name: "unknown session: the dACL's implicit deny blocks a new PSN, the redirect ACL is fine",
			sessions: []session{{iface: "GigabitEthernet1/0/5", mac: "a4bb.6d10.2205", ipv4: "10.1.10.25", dacl: redirectD,
				redirectACL: "REDIRECT_WEB", redirectURL: postureURL}},
			acls: dacl(redirectD, "permit udp any any eq domain", "permit tcp any host 10.0.0.11 eq 8449", "permit tcp any host 10.0.0.12 eq 8449") +
				local("REDIRECT_WEB", "deny ip any host 10.0.0.11", "deny ip any host 10.0.0.12", "permit tcp any any eq www", "permit tcp any any eq 443"),
			psns: threePSNs,
			want: []string{
				`warning dacl-blocks-sync|xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12|10.0.0.13|8449 | acl=xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 line="deny ip any any (implicit)" seq=0 | switch= posture=unknown rule=url-redirect dacl=xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 | SW1 GigabitEthernet1/0/5 10.1.10.25 a4:bb:6d:10:22:05`,
			},
		},
		{
			name: "pending by a configured rule: a redirect ACL entry for all of 8449 captures every PSN",
			sessions: []session{{iface: "GigabitEthernet1/0/5", mac: "a4bb.6d10.2205", ipv4: "10.1.10.25",
				redirectACL: "REDIRECT_BAD", redirectURL: postureURL}},
			acls:  local("REDIRECT_BAD", "permit tcp any any range 8443 8449"),
			psns:  []PSN{{"psn1", addrs("10.0.0.11")}, {"psn2", addrs("10.0.0.12")}},
			rules: collectors.PostureRules{mustRedirect(t, "action=cpp", collectors.PosturePending)},
			want: []string{
				`warning dacl-blocks-sync|REDIRECT_BAD|10.0.0.11|8449|SW1 | acl=REDIRECT_BAD line="permit tcp any any range 8443 8449" seq=10 | switch=SW1 posture=pending rule=url-redirect:action=cpp dacl= | SW1 GigabitEthernet1/0/5 10.1.10.25 a4:bb:6d:10:22:05`,
				`warning dacl-blocks-sync|REDIRECT_BAD|10.0.0.12|8449|SW1 | acl=REDIRECT_BAD line="permit tcp any any range 8443 8449" seq=10 | switch=SW1 posture=pending rule=url-redirect:action=cpp dacl= | SW1 GigabitEthernet1/0/5 10.1.10.25 a4:bb:6d:10:22:05`,
			},
		},
		{
			name:     "noncompliant: a remediation dACL that permits ip to the PSN opens 8449",
			sessions: []session{{iface: "GigabitEthernet1/0/9", mac: "a4bb.6d10.2209", ipv4: "10.1.10.29", dacl: "xACSACLx-IP-NON_COMPLIANT_REMEDIATION-77aa0011"}},
			acls:     dacl("xACSACLx-IP-NON_COMPLIANT_REMEDIATION-77aa0011", "permit udp any any eq domain", "permit ip any host 10.0.0.11", "deny ip any any"),
			psns:     []PSN{{"psn1", addrs("10.0.0.11")}},
			ports:    []uint16{8449, 8905},
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-NON_COMPLIANT_REMEDIATION-77aa0011|10.0.0.11|8449 | acl=xACSACLx-IP-NON_COMPLIANT_REMEDIATION-77aa0011 line="permit ip any host 10.0.0.11" seq=20 | switch= posture=noncompliant rule=dacl:(?i)non.?compliant dacl=xACSACLx-IP-NON_COMPLIANT_REMEDIATION-77aa0011 | SW1 GigabitEthernet1/0/9 10.1.10.29 a4:bb:6d:10:22:09`,
				`critical dacl-permits-psn|xACSACLx-IP-NON_COMPLIANT_REMEDIATION-77aa0011|10.0.0.11|8905 | acl=xACSACLx-IP-NON_COMPLIANT_REMEDIATION-77aa0011 line="permit ip any host 10.0.0.11" seq=20 | switch= posture=noncompliant rule=dacl:(?i)non.?compliant dacl=xACSACLx-IP-NON_COMPLIANT_REMEDIATION-77aa0011 | SW1 GigabitEthernet1/0/9 10.1.10.29 a4:bb:6d:10:22:09`,
			},
		},
		{
			name:     "a dACL no listing shows, and a redirect ACL the switch lacks",
			sessions: []session{pc, {iface: "GigabitEthernet1/0/5", mac: "a4bb.6d10.2205", ipv4: "10.1.10.25", redirectACL: "REDIRECT_GONE", redirectURL: postureURL}},
			acls:     local("OTHER", "permit ip any any"),
			psns:     threePSNs,
			want: []string{
				`warning dacl-missing|REDIRECT_GONE|SW1 | acl=REDIRECT_GONE line="" seq=0 | switch=SW1 posture=unknown rule=url-redirect dacl= | SW1 GigabitEthernet1/0/5 10.1.10.25 a4:bb:6d:10:22:05`,
				`warning dacl-missing|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|SW1 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="" seq=0 | switch=SW1 posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
		},
		{
			name:     "an object-group before the deny makes the verdict unknown, never a guess",
			sessions: []session{pc},
			acls: dacl(compliantV1, "permit tcp any object-group ISE_PORTALS eq 443", "permit tcp any object-group ISE_NODES",
				"deny tcp any host 10.0.0.11 eq 8449", "permit ip any any"),
			psns: []PSN{{"psn1", addrs("10.0.0.11")}},
			// The first object-group entry cannot match port 8449 whatever
			// its members: only the second one leaves the verdict open.
			want: []string{
				`warning dacl-unevaluable|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.11|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="permit tcp any object-group ISE_NODES" seq=20 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
		},
		{
			name: "a source-specific deny: judged from each session's address, unknown without one",
			sessions: []session{pc, {iface: "GigabitEthernet1/0/4", mac: "a4bb.6d10.2204", ipv4: "10.9.0.4", dacl: compliantV1},
				{iface: "GigabitEthernet1/0/8", mac: "a4bb.6d10.2208", dacl: compliantV1}},
			acls: dacl(compliantV1, "deny tcp 10.1.0.0 0.0.255.255 host 10.0.0.11 eq 8449", "permit ip any any"),
			psns: []PSN{{"psn1", addrs("10.0.0.11")}},
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.11|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="permit ip any any" seq=20 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/4 10.9.0.4 a4:bb:6d:10:22:04`,
				`warning dacl-unevaluable|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.11|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="deny tcp 10.1.0.0 0.0.255.255 host 10.0.0.11 eq 8449" seq=10 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/8 - a4:bb:6d:10:22:08`,
			},
		},
		{
			name:     "without an address, source-free entries still decide",
			sessions: []session{{iface: "GigabitEthernet1/0/8", mac: "a4bb.6d10.2208", dacl: compliantV1}},
			acls:     dacl(compliantV1, "deny tcp 10.1.0.0 0.0.255.255 host 10.0.0.99 eq 8449", "deny tcp any host 10.0.0.11 eq 8449", "permit ip any any"),
			psns:     []PSN{{"psn1", addrs("10.0.0.11")}, {"psn2", addrs("10.0.0.12")}},
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.12|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="permit ip any any" seq=30 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/8 - a4:bb:6d:10:22:08`,
			},
		},
		{
			// Only an IPv4 dACL, an IPv6 address and an IPv6 PSN: no dACL
			// filters the IPv6 path (the audit said nothing): unknown.
			name:     "an IPv6 address but only an IPv4 dACL: the IPv6 path is unevaluable",
			sessions: []session{{iface: "GigabitEthernet1/0/3", mac: pc1, ipv4: "10.1.10.23", ipv6: "2001:db8:10::23", dacl: compliantV1}},
			acls:     dacl(compliantV1, "deny tcp any host 10.0.0.11 eq 8449", "permit ip any any"),
			psns:     []PSN{{"psn1", addrs("10.0.0.11", "2001:db8::11")}},
			want: []string{
				`warning dacl-unevaluable|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|2001:db8::11|8449 | acl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 line="" seq=0 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 | SW1 GigabitEthernet1/0/3 2001:db8:10::23 a4:bb:6d:10:22:03`,
			},
		},
		{
			name:     "only a link-local IPv6 address and an IPv4 dACL: nothing to judge in IPv6",
			sessions: []session{{iface: "GigabitEthernet1/0/3", mac: pc1, ipv4: "10.1.10.23", ipv6: "fe80::a6bb:6dff:fe10:2203", dacl: compliantV1}},
			acls:     dacl(compliantV1, "deny tcp any host 10.0.0.11 eq 8449", "permit ip any any"),
			psns:     []PSN{{"psn1", addrs("10.0.0.11", "2001:db8::11")}},
		},
		{
			name:     "an IPv6 dACL only and an IPv4 address: the IPv4 path is unevaluable",
			sessions: []session{{iface: "GigabitEthernet1/0/3", mac: pc1, ipv4: "10.1.10.23", ipv6: "2001:db8:10::23", dacl6: compliant6}},
			acls:     dacl6(compliant6, "deny tcp any host 2001:db8::11 eq 8449", "permit ipv6 any any"),
			psns:     []PSN{{"psn1", addrs("10.0.0.11", "2001:db8::11")}},
			want: []string{
				`warning dacl-unevaluable|xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6|10.0.0.11|8449 | acl=xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6 line="" seq=0 | switch= posture=compliant rule=dacl:(?i)compliant dacl=xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6 | SW1 GigabitEthernet1/0/3 10.1.10.23 a4:bb:6d:10:22:03`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap := snapshot(t, "SW1", transcript("SW1", tc.sessions, tc.acls))
			rules := tc.rules
			if rules == nil {
				rules = collectors.DefaultPostureRules()
			}
			fs := Audit(snap, AuditConfig{PSNs: tc.psns, Ports: tc.ports, Rules: rules})
			got := briefs(fs)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if (tc.summary != "" || tc.action != "") && len(fs) > 0 && (tc.summary != "" && fs[0].Summary != tc.summary || fs[0].Action != tc.action) {
				t.Errorf("summary\n got %s\nwant %s\naction\n got %s\nwant %s", fs[0].Summary, tc.summary, fs[0].Action, tc.action)
			}
		})
	}
}

func mustRule(t *testing.T, pattern string, p collectors.Posture) collectors.PostureRule {
	r, err := collectors.NewDACLRule(pattern, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustRedirect(t *testing.T, pattern string, p collectors.Posture) collectors.PostureRule {
	r, err := collectors.NewRedirectRule(pattern, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAuditAggregates checks that one bad dACL on many sessions of several
// switches is one finding per PSN and port, listing every session, and that
// a redirect ACL is judged per switch.
func TestAuditAggregates(t *testing.T) {
	var sw1, sw2 []session
	for i := 0; i < 30; i++ {
		sw1 = append(sw1, session{iface: fmt.Sprintf("GigabitEthernet1/0/%d", i+1), mac: fmt.Sprintf("a4bb.6d10.%04x", i), ipv4: fmt.Sprintf("10.1.10.%d", i+1), dacl: compliantV1})
		sw2 = append(sw2, session{iface: fmt.Sprintf("GigabitEthernet2/0/%d", i+1), mac: fmt.Sprintf("a4bb.6d20.%04x", i), ipv4: fmt.Sprintf("10.2.10.%d", i+1),
			redirectACL: "REDIRECT", redirectURL: postureURL})
	}
	bad := dacl(compliantV1, "deny tcp any host 10.0.0.11 eq 8449", "permit ip any any")
	snap := snapshot(t,
		"SW1", transcript("SW1", sw1, bad+local("REDIRECT", "permit tcp any any")),
		"SW2", transcript("SW2", sw2, bad+local("REDIRECT", "permit tcp any any")),
		"SW3", transcript("SW3", sw2[:1], local("REDIRECT", "deny ip any host 10.0.0.12", "permit tcp any any")))
	fs := Audit(snap, AuditConfig{PSNs: threePSNs, Ports: []uint16{8449, 8443}, Rules: collectors.DefaultPostureRules()})
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s %d", f.Key, len(f.Sessions)))
	}
	want := []string{
		"dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.11|8443 30",
		"dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.12|8443 30",
		"dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.12|8449 30",
		"dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.13|8443 30",
		"dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.13|8449 30",
		"dacl-blocks-sync|REDIRECT|10.0.0.11|8443|SW2 30",
		"dacl-blocks-sync|REDIRECT|10.0.0.11|8443|SW3 1",
		"dacl-blocks-sync|REDIRECT|10.0.0.11|8449|SW2 30",
		"dacl-blocks-sync|REDIRECT|10.0.0.11|8449|SW3 1",
		"dacl-blocks-sync|REDIRECT|10.0.0.12|8443|SW2 30",
		"dacl-blocks-sync|REDIRECT|10.0.0.12|8449|SW2 30",
		"dacl-blocks-sync|REDIRECT|10.0.0.13|8443|SW2 30",
		"dacl-blocks-sync|REDIRECT|10.0.0.13|8443|SW3 1",
		"dacl-blocks-sync|REDIRECT|10.0.0.13|8449|SW2 30",
		"dacl-blocks-sync|REDIRECT|10.0.0.13|8449|SW3 1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}
	if fs[0].Count != 30 || fs[0].Sessions[29].Interface != "GigabitEthernet1/0/30" {
		t.Errorf("first finding: count %d, last session %+v", fs[0].Count, fs[0].Sessions[29])
	}
}

func TestAuditDACLText(t *testing.T) {
	text := "remark compliant: block state sync to every PSN\n" +
		"deny tcp any host 10.0.0.11 eq 8449\n" +
		"deny tcp any host 10.0.0.12 eq 8449\n" +
		"\n" +
		"permit ip any any\n" +
		"deny tcp any host 2001:db8::11 eq 8449\n" +
		"permit ipv6 any any\n"
	acls, ws := collectors.DACLFromText("compliant.txt", "EMPLOYEE_COMPLIANT", text)
	if len(ws) != 0 || len(acls) != 2 {
		t.Fatalf("%d ACLs, warnings %v", len(acls), ws)
	}
	cfg := AuditConfig{PSNs: threePSNs, Rules: collectors.DefaultPostureRules()}
	fs := AuditDACL(acls, collectors.PostureCompliant, cfg)
	want := []string{
		`critical dacl-permits-psn|EMPLOYEE_COMPLIANT|10.0.0.13|8449 | acl=EMPLOYEE_COMPLIANT line="permit ip any any" seq=4 | switch= posture=compliant rule=given dacl=EMPLOYEE_COMPLIANT | `,
	}
	if got := briefs(fs); !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n%s", strings.Join(got, "\n"))
	}
	if fs[0].Action != "add `deny tcp any host 10.0.0.13 eq 8449` before line 5 (`permit ip any any`) of compliant.txt" {
		t.Errorf("action %q", fs[0].Action)
	}
	if fs[0].Summary != "dACL EMPLOYEE_COMPLIANT (compliant.txt) permits TCP 8449 to PSN psn3 (10.0.0.13) at line 5 (`permit ip any any`): compliant sessions with this dACL can reach the state-sync port, so ISE raises Posture Configuration Detection and their agents stop state sync" {
		t.Errorf("summary %q", fs[0].Summary)
	}
	// The same text for unknown sessions blocks every PSN it denies;
	// entries count from the remark in both lists, as the switch would.
	got := briefs(AuditDACL(acls, collectors.PostureUnknown, cfg))
	want = []string{
		`warning dacl-blocks-sync|EMPLOYEE_COMPLIANT|10.0.0.11|8449 | acl=EMPLOYEE_COMPLIANT line="deny tcp any host 10.0.0.11 eq 8449" seq=2 | switch= posture=unknown rule=given dacl=EMPLOYEE_COMPLIANT | `,
		`warning dacl-blocks-sync|EMPLOYEE_COMPLIANT|10.0.0.12|8449 | acl=EMPLOYEE_COMPLIANT line="deny tcp any host 10.0.0.12 eq 8449" seq=3 | switch= posture=unknown rule=given dacl=EMPLOYEE_COMPLIANT | `,
		`warning dacl-blocks-sync|EMPLOYEE_COMPLIANT|2001:db8::11|8449 | acl=EMPLOYEE_COMPLIANT line="deny tcp any host 2001:db8::11 eq 8449" seq=2 | switch= posture=unknown rule=given dacl=EMPLOYEE_COMPLIANT | `,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("unknown posture:\n%s", strings.Join(got, "\n"))
	}
	if fs := AuditDACL(acls, collectors.PostureUnclassified, cfg); len(fs) != 0 {
		t.Errorf("unclassified: %d findings", len(fs))
	}
}
