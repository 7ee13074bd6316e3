package acl

import (
	"fmt"
	"net/netip"
	"testing"
)

// benchACL100 is a 100-entry dACL in which only the last entry matches a
// SYN from 10.1.2.3 to 10.0.0.11:8449: the other 99 differ in protocol,
// destination host, wildcard network, port or flags, as real dACLs do.
func benchACL100(tb testing.TB) *ACL {
	tb.Helper()
	var lines []Line
	for i := 0; len(lines) < 99; i++ {
		var text string
		switch i % 5 {
		case 0:
			text = fmt.Sprintf("deny tcp any host 10.0.%d.%d eq 8449", 1+i/250, i%250)
		case 1:
			text = fmt.Sprintf("permit udp any host 10.2.%d.1 eq domain", i)
		case 2:
			text = fmt.Sprintf("deny tcp any 10.%d.0.0 0.0.255.255 range 8440 8450", 100+i)
		case 3:
			text = fmt.Sprintf("permit tcp any host 10.0.0.11 eq %d", 1000+i)
		case 4:
			text = "permit tcp any any established"
		}
		lines = append(lines, Line{Seq: 10 * (len(lines) + 1), Text: text})
	}
	lines = append(lines, Line{Seq: 1000, Text: "deny tcp any 10.0.0.0 0.0.0.255 eq 8449"})
	a, errs := Compile("bench", IPv4, Extended, lines)
	if len(errs) != 0 || len(a.Entries) != 100 {
		tb.Fatalf("compile: %v, %d entries", errs, len(a.Entries))
	}
	return a
}

func BenchmarkEvaluate100(b *testing.B) {
	a := benchACL100(b)
	p := Packet{
		Src: netip.MustParseAddr("10.1.2.3"), Dst: netip.MustParseAddr("10.0.0.11"),
		Proto: 6, SrcPort: 50123, DstPort: 8449, Flags: SYN,
	}
	if r := a.Evaluate(p); r.Verdict != Denied || r.Seq != 1000 {
		b.Fatalf("got %v seq %d, want deny by seq 1000", r.Verdict, r.Seq)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if a.Evaluate(p).Seq != 1000 {
			b.Fatal("wrong entry")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

func BenchmarkEvaluate100IPv6(b *testing.B) {
	var lines []Line
	for i := range 99 {
		lines = append(lines, Line{Seq: 10 * (i + 1), Text: fmt.Sprintf("deny tcp any host 2001:db8:0:%x::11 eq 8449", i+2)})
	}
	lines = append(lines, Line{Seq: 1000, Text: "deny tcp any 2001:db8:0:1::/64 eq 8449"})
	a, errs := Compile("bench6", IPv6, Extended, lines)
	if len(errs) != 0 {
		b.Fatal(errs)
	}
	p := Packet{
		Src: netip.MustParseAddr("2001:db8:1::5"), Dst: netip.MustParseAddr("2001:db8:0:1::11"),
		Proto: 6, SrcPort: 50123, DstPort: 8449, Flags: SYN,
	}
	b.ReportAllocs()
	for b.Loop() {
		if a.Evaluate(p).Seq != 1000 {
			b.Fatal("wrong entry")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

// BenchmarkCompile100 measures parsing and compiling a 100-entry list, the
// cost paid once per downloaded dACL.
func BenchmarkCompile100(b *testing.B) {
	lines := benchACL100(b).Entries
	texts := make([]Line, len(lines))
	for i, e := range lines {
		texts[i] = Line{Seq: e.Seq, Text: e.String()}
	}
	b.ReportAllocs()
	for b.Loop() {
		if a, errs := Compile("bench", IPv4, Extended, texts); len(errs) != 0 || len(a.Entries) != 100 {
			b.Fatal(errs)
		}
	}
}
