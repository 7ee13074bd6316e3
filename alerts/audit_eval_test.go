package alerts

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/syncwatch/syncwatch/collectors/acl"
)

func TestWidenSource(t *testing.T) {
	tests := []struct {
		fam  acl.Family
		kind acl.Kind
		text string
		want string // "" when the entry's source is already any
	}{
		{acl.IPv4, acl.Extended, "permit tcp any host 10.0.0.11 eq 8449", ""},
		{acl.IPv4, acl.Extended, "deny tcp host 10.1.1.1 host 10.0.0.11 eq 8449", "deny tcp any host 10.0.0.11 eq 8449"},
		{acl.IPv4, acl.Extended, "deny tcp 10.1.0.0 0.0.255.255 host 10.0.0.11 eq 8449 log", "deny tcp any host 10.0.0.11 eq 8449 log"},
		{acl.IPv4, acl.Extended, "deny ip 0.0.0.0 255.255.255.255 any", ""},
		{acl.IPv4, acl.Extended, "permit tcp object-group CLIENTS host 10.0.0.11", "permit tcp any host 10.0.0.11"},
		{acl.IPv4, acl.Extended, "permit tcp host dynamic pc.example.com any", "permit tcp any any"},
		{acl.IPv6, acl.Extended, "deny tcp 2001:db8:10::/48 host 2001:db8::11 eq 8449", "deny tcp any host 2001:db8::11 eq 8449"},
		{acl.IPv6, acl.Extended, "deny tcp host 2001:db8:10::23 any eq 8449", "deny tcp any any eq 8449"},
		{acl.IPv6, acl.Extended, "permit ipv6 ::/0 any", ""},
		{acl.IPv4, acl.Standard, "permit 10.1.0.0 0.0.255.255", "permit any"},
		{acl.IPv4, acl.Standard, "deny host 10.1.1.1 log", "deny any log"},
		{acl.IPv4, acl.Standard, "permit any", ""},
		{acl.IPv4, acl.RoleBased, "deny tcp dst eq 8449", ""},
		{acl.IPv4, acl.Extended, "remark host 10.1.1.1", ""},
		{acl.IPv4, acl.Extended, "dynamic TESTLIST timeout 10 permit ip 10.1.1.0 0.0.0.255 any", ""},
	}
	for _, tc := range tests {
		a, errs := acl.Compile("T", tc.fam, tc.kind, []acl.Line{{Text: tc.text}})
		if len(errs) != 0 {
			t.Fatalf("%q: %v", tc.text, errs)
		}
		got, ok := widenSource(&a.Entries[0], tc.kind)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s %s %q: got %q, %v; want %q", tc.fam, tc.kind, tc.text, got, ok, tc.want)
		}
	}
}

// TestJudgeUnknownSource checks the verdicts for a SYN whose source the
// switch did not show against the verdicts for every source that matters.
func TestJudgeUnknownSource(t *testing.T) {
	psn := target{netip.MustParseAddr("10.0.0.11"), 8449}
	tests := []struct {
		name    string
		lines   []string
		verdict acl.Verdict
		seq     int
	}{
		{"source-free deny", []string{"deny tcp any host 10.0.0.11 eq 8449", "permit ip any any"}, acl.Denied, 1},
		{"a source-specific entry that cannot match the port is skipped", []string{"permit tcp 10.1.0.0 0.0.255.255 any eq 443", "deny tcp any any eq 8449"}, acl.Denied, 2},
		{"a source-specific entry decides for some sources only", []string{"permit tcp 10.1.0.0 0.0.255.255 any", "deny tcp any any eq 8449"}, acl.Unknown, 1},
		{"standard list", []string{"deny 10.1.0.0 0.0.255.255", "permit any"}, acl.Unknown, 1},
		{"implicit deny", []string{"permit udp any any eq domain"}, acl.Denied, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind := acl.Extended
			if tc.name == "standard list" {
				kind = acl.Standard
			}
			var lines []acl.Line
			for i, l := range tc.lines {
				lines = append(lines, acl.Line{Seq: i + 1, Text: l})
			}
			a, _ := acl.Compile("T", acl.IPv4, kind, lines)
			r := newJudge(a).evaluate(netip.Addr{}, psn)
			if r.Verdict != tc.verdict || r.Seq != tc.seq {
				t.Errorf("got %s at %d (%s), want %s at %d", r.Verdict, r.Seq, r.Reason, tc.verdict, tc.seq)
			}
			if r.Verdict == acl.Unknown && r.Entry != &a.Entries[tc.seq-1] {
				t.Error("the result does not name the original entry")
			}
		})
	}
}

// TestJudgeUnknownSourceRandom checks on random lists that a verdict
// given without the source address holds for every source address.
func TestJudgeUnknownSourceRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 8449))
	srcs := []string{"any", "host 10.1.2.3", "10.1.0.0 0.0.255.255", "10.0.0.0 0.255.255.255", "10.1.2.0 0.0.0.254"}
	dsts := []string{"any", "host 10.0.0.11", "10.0.0.0 0.0.0.255", "host 10.0.0.12"}
	ports := []string{"", " eq 8449", " range 8440 8450", " eq 443", " established"}
	for n := 0; n < 2000; n++ {
		var lines []acl.Line
		for i := 0; i < 1+rng.IntN(5); i++ {
			action := "permit"
			if rng.IntN(2) == 0 {
				action = "deny"
			}
			text := action + " tcp " + srcs[rng.IntN(len(srcs))] + " " + dsts[rng.IntN(len(dsts))] + ports[rng.IntN(len(ports))]
			lines = append(lines, acl.Line{Seq: 10 * (i + 1), Text: text})
		}
		a, errs := acl.Compile("R", acl.IPv4, acl.Extended, lines)
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		psn := target{netip.MustParseAddr("10.0.0.11"), 8449}
		r := newJudge(a).evaluate(netip.Addr{}, psn)
		if r.Verdict == acl.Unknown {
			continue
		}
		for _, s := range []string{"10.1.2.3", "10.1.2.2", "10.1.9.9", "10.9.9.9", "192.0.2.1", "0.0.0.0"} {
			c := a.Evaluate(syn(netip.MustParseAddr(s), psn))
			if c.Verdict != r.Verdict || c.Seq != r.Seq {
				t.Fatalf("%v: unknown source gives %s at %d, %s gives %s at %d", lines, r.Verdict, r.Seq, s, c.Verdict, c.Seq)
			}
		}
	}
}
