package collectors

import (
	"testing"
)

func TestDACLBaseName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814", "EMPLOYEE_COMPLIANT"},
		{"xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22", "EMPLOYEE_COMPLIANT"},
		{"xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6", "EMPLOYEE_COMPLIANT"},
		{"xACSACLx-IP-NOICMP-TELNET-5f152814", "NOICMP-TELNET"},
		{"xacsaclx-ip-Lower-ABCDEF01", "Lower"},
		{"#ACSACL#-IP-PERMIT_ALL-57f6b0d3", "PERMIT_ALL"},
		{"xACSACLx-IP-legacy_TC9_permit_user_CP-7970G-SEP000E83E53398-63ced261", "legacy_TC9_permit_user_CP-7970G-SEP000E83E53398"},
		// No version: nothing to strip.
		{"xACSACLx-IP-NO_VERSION", "NO_VERSION"},
		// A suffix that is not 8 hex digits is part of the name.
		{"xACSACLx-IP-PRINTERS-cafe", "PRINTERS-cafe"},
		{"xACSACLx-IP-PRINTERS-5f15281g", "PRINTERS-5f15281g"},
		{"xACSACLx-IP-5f152814", "5f152814"},
		// Switch-local ACLs keep their name.
		{"IP-Adm-V4-Int-ACL-global", "IP-Adm-V4-Int-ACL-global"},
		{"REDIRECT-5f152814", "REDIRECT-5f152814"},
		{"xACSACLx-IP-", "xACSACLx-IP-"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := DACLBaseName(tc.name); got != tc.want {
			t.Errorf("DACLBaseName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if !IsDACLName("xACSACLx-IPV6-X-5f152814") || IsDACLName("IP-Adm-V4-Int-ACL-global") {
		t.Error("IsDACLName")
	}
}

func TestPostureRules(t *testing.T) {
	mustDACL := func(p string, post Posture) PostureRule {
		r, err := NewDACLRule(p, post)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	mustRedirect := func(p string, post Posture) PostureRule {
		r, err := NewRedirectRule(p, post)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	configured := PostureRules{
		mustDACL(`^PHONES$`, PostureUnclassified),
		mustDACL(`(?i)quarantine`, PostureNonCompliant),
		mustDACL(`^EMPLOYEE_`, PostureCompliant),
		mustRedirect(`action=cpp`, PosturePending),
	}
	const redirect = "https://ise.example.com:8443/portal/gateway?sessionId=0A0A0A0A&portal=27b1bc30&action=cpp&token=8b1f"
	tests := []struct {
		name              string
		rules             PostureRules
		dacl, daclV6, url string
		wantPosture       Posture
		wantRule          string
	}{
		{name: "default compliant", rules: DefaultPostureRules(), dacl: "xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814",
			wantPosture: PostureCompliant, wantRule: "dacl:(?i)compliant"},
		{name: "renamed dACL keeps its role", rules: DefaultPostureRules(), dacl: "xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22",
			wantPosture: PostureCompliant, wantRule: "dacl:(?i)compliant"},
		{name: "default noncompliant before compliant", rules: DefaultPostureRules(), dacl: "xACSACLx-IP-EMPLOYEE_NonCompliant-5f152814",
			wantPosture: PostureNonCompliant, wantRule: "dacl:(?i)non.?compliant"},
		{name: "default non_compliant", rules: DefaultPostureRules(), dacl: "xACSACLx-IP-NON_COMPLIANT-5f152814",
			wantPosture: PostureNonCompliant, wantRule: "dacl:(?i)non.?compliant"},
		{name: "default IPv6 dACL alone", rules: DefaultPostureRules(), daclV6: "xACSACLx-IPV6-COMPLIANT_V6-64a351c6",
			wantPosture: PostureCompliant, wantRule: "dacl:(?i)compliant"},
		{name: "version digits never match a rule", rules: PostureRules{mustDACL(`5f15`, PostureCompliant)}, dacl: "xACSACLx-IP-X-5f152814",
			wantPosture: PostureUnclassified, wantRule: RuleDefault},
		{name: "default redirect", rules: DefaultPostureRules(), dacl: "xACSACLx-IP-POSTURE_REDIRECT-1a2b3c4d", url: redirect,
			wantPosture: PostureUnknown, wantRule: "url-redirect"},
		{name: "default unclassified phone", rules: DefaultPostureRules(), dacl: "xACSACLx-IP-PHONES-1a2b3c4d",
			wantPosture: PostureUnclassified, wantRule: RuleDefault},
		{name: "default nothing at all", rules: DefaultPostureRules(),
			wantPosture: PostureUnclassified, wantRule: RuleDefault},
		{name: "no rules", rules: nil, dacl: "xACSACLx-IP-COMPLIANT-5f152814",
			wantPosture: PostureUnclassified, wantRule: RuleDefault},
		{name: "configured: first rule wins", rules: configured, dacl: "xACSACLx-IP-PHONES-1a2b3c4d",
			wantPosture: PostureUnclassified, wantRule: "dacl:^PHONES$"},
		{name: "configured: quarantine", rules: configured, dacl: "xACSACLx-IP-Quarantine_Remediation-1a2b3c4d",
			wantPosture: PostureNonCompliant, wantRule: "dacl:(?i)quarantine"},
		{name: "configured: employee", rules: configured, dacl: "xACSACLx-IP-EMPLOYEE_FULL-1a2b3c4d",
			wantPosture: PostureCompliant, wantRule: "dacl:^EMPLOYEE_"},
		{name: "configured: posture redirect", rules: configured, url: redirect,
			wantPosture: PosturePending, wantRule: "url-redirect:action=cpp"},
		{name: "configured: guest redirect is not posture", rules: configured, url: "https://ise:8443/portal/gateway?action=cwa",
			wantPosture: PostureUnclassified, wantRule: RuleDefault},
		{name: "configured: rule does not match the prefix", rules: PostureRules{mustDACL(`^xACSACLx`, PostureCompliant)}, dacl: "xACSACLx-IP-X-5f152814",
			wantPosture: PostureUnclassified, wantRule: RuleDefault},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, rule := tc.rules.Classify(tc.dacl, tc.daclV6, tc.url)
			if p != tc.wantPosture || rule != tc.wantRule {
				t.Errorf("Classify = %s, %s; want %s, %s", p, rule, tc.wantPosture, tc.wantRule)
			}
		})
	}
}

func TestPostureValues(t *testing.T) {
	for _, p := range Postures() {
		got, err := ParsePosture(string(p))
		if err != nil || got != p {
			t.Errorf("ParsePosture(%q) = %q, %v", p, got, err)
		}
	}
	for _, s := range []string{"Compliant", "non-compliant", "", "NotApplicable"} {
		if _, err := ParsePosture(s); err == nil {
			t.Errorf("ParsePosture(%q) accepted", s)
		}
	}
	_, err := ParsePosture("Compliant")
	if err.Error() != `"Compliant" is not a posture (compliant, noncompliant, unknown, pending or unclassified)` {
		t.Errorf("message %q", err)
	}
	block := map[Posture][2]bool{
		PostureCompliant: {true, false}, PostureNonCompliant: {true, false},
		PostureUnknown: {false, true}, PosturePending: {false, true}, PostureUnclassified: {false, false},
	}
	for p, want := range block {
		if p.MustBlock() != want[0] || p.MustReach() != want[1] {
			t.Errorf("%s: MustBlock %v MustReach %v", p, p.MustBlock(), p.MustReach())
		}
	}
	if _, err := NewDACLRule("(", PostureCompliant); err == nil || err.Error() != "dACL pattern \"(\": error parsing regexp: missing closing ): `(`" {
		t.Errorf("bad pattern: %v", err)
	}
	if _, err := NewDACLRule("", PostureCompliant); err == nil {
		t.Error("empty dACL pattern accepted")
	}
	if _, err := NewRedirectRule("[", PostureUnknown); err == nil {
		t.Error("bad redirect pattern accepted")
	}
}
