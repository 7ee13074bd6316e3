package acl

import (
	"fmt"
	"testing"
)

func TestParseDACL(t *testing.T) {
	text := "remark Compliant: no posture sync to the PSNs\n" +
		"\n" +
		"deny tcp any host 10.0.0.11 eq 8449\r\n" +
		"   deny tcp any host 10.0.0.12 eq 8449\n" +
		"permit ip any any\n"
	a, errs := ParseDACL("xACSACLx-IP-COMPLIANT-5f152814", IPv4, text)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if a.Name != "xACSACLx-IP-COMPLIANT-5f152814" || a.Family != IPv4 || a.Kind != Extended {
		t.Errorf("got %q %v %v", a.Name, a.Family, a.Kind)
	}
	type row struct {
		seq, line int
		action    Action
		text      string
	}
	want := []row{
		{1, 1, Remark, "remark Compliant: no posture sync to the PSNs"},
		{2, 3, Deny, "deny tcp any host 10.0.0.11 eq 8449"},
		{3, 4, Deny, "deny tcp any host 10.0.0.12 eq 8449"},
		{4, 5, Permit, "permit ip any any"},
	}
	if len(a.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(a.Entries), len(want))
	}
	for i, e := range a.Entries {
		if got := (row{e.Seq, e.LineNo, e.Action, e.String()}); got != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got, want[i])
		}
	}
	for _, tc := range []struct {
		dst     string
		verdict Verdict
		seq     int
	}{{"10.0.0.11", Denied, 2}, {"10.0.0.12", Denied, 3}, {"10.0.0.13", Permitted, 4}} {
		r := a.Evaluate(syn(host, tc.dst, 8449))
		if r.Verdict != tc.verdict || r.Seq != tc.seq {
			t.Errorf("SYN to %s: %v seq %d, want %v seq %d", tc.dst, r.Verdict, r.Seq, tc.verdict, tc.seq)
		}
	}
}

func TestParseDACLErrorsNameTheLine(t *testing.T) {
	text := "permit udp any any eq domain\n\nallow ip any any\npermit tcp any 10.0.0.0/8 eq 8449\ndeny ip any any\n"
	a, errs := ParseDACL("bad", IPv4, text)
	want := []string{
		`line 3 (seq 2) "allow ip any any": access list bad: entry starts with "allow", not permit, deny or remark`,
		`line 4 (seq 3) "permit tcp any 10.0.0.0/8 eq 8449": access list bad: prefix "10.0.0.0/8" is NX-OS syntax; IOS needs an address and a wildcard`,
	}
	if len(errs) != len(want) {
		t.Fatalf("got %v", errs)
	}
	for i := range want {
		if errs[i].Error() != want[i] {
			t.Errorf("error %d = %q\nwant %q", i, errs[i].Error(), want[i])
		}
	}
	// The broken line stays in the list, so the SYN's verdict is unknown.
	if r := a.Evaluate(syn(host, psn11, 8449)); r.Verdict != Unknown || r.Seq != 2 || r.Entry.LineNo != 3 {
		t.Errorf("got %v seq %d", r.Verdict, r.Seq)
	}
}

func TestParseDACLIPv6AndAVPairs(t *testing.T) {
	a, errs := ParseDACL("xACSACLx-IPV6-COMPLIANT-1a2b3c4d", IPv6,
		"ipv6:inacl#1=deny tcp any host 2001:db8:0:1::11 eq 8449\nIPV6:INACL#2=permit ipv6 any any\n")
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if r := a.Evaluate(syn(host6, psn6, 8449)); r.Verdict != Denied || r.Seq != 1 || r.Text != "deny tcp any host 2001:db8:0:1::11 eq 8449" {
		t.Errorf("got %v seq %d %q", r.Verdict, r.Seq, r.Text)
	}
	if r := a.Evaluate(syn(host6, "2001:db8:0:1::12", 8449)); r.Verdict != Permitted || r.Seq != 2 {
		t.Errorf("got %v seq %d", r.Verdict, r.Seq)
	}
	empty, errs := ParseDACL("empty", IPv4, "\n \n")
	if len(errs) != 0 || len(empty.Entries) != 0 {
		t.Fatalf("empty dACL: %v, %d entries", errs, len(empty.Entries))
	}
	if r := empty.Evaluate(syn(host, psn11, 8449)); r.Verdict != Denied || !r.Implicit {
		t.Errorf("empty dACL: %v implicit %v", r.Verdict, r.Implicit)
	}
}

func ExampleParseDACL() {
	dacl, _ := ParseDACL("xACSACLx-IP-COMPLIANT-5f152814", IPv4,
		"permit tcp any any established\ndeny tcp any host 10.0.0.11 eq 8449\npermit ip any any")
	r := dacl.Evaluate(Packet{
		Src: mustAddr("10.1.2.3"), Dst: mustAddr("10.0.0.11"),
		Proto: 6, DstPort: 8449, Flags: SYN,
	})
	fmt.Printf("%s by entry %d: %s\n", r.Verdict, r.Seq, r.Text)
	// Output: deny by entry 2: deny tcp any host 10.0.0.11 eq 8449
}
