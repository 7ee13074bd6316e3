package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/syncwatch/syncwatch/internal/iosemu"
)

// writeHandshakes writes a pcap of SYN / SYN-ACK pairs from 10.1.10.23
// (the example's compliant PC on access-sw1, its own MAC on the frames) to
// the PSNs: psn3, whose address its dACL permits (compliant-reached), and
// psn1, which it denies (a race).
func writeHandshakes(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriterNanos(f)
	if err := w.WriteFileHeader(256, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	pc, _ := net.ParseMAC("a4:bb:6d:10:22:03")
	gw, _ := net.ParseMAC("00:00:5e:00:01:01")
	at := time.Date(2026, 12, 3, 19, 18, 38, 0, time.UTC)
	frame := func(src, dst net.HardwareAddr, sip, dip string, sport, dport uint16, syn, ack bool, seq, ackn uint32, ts time.Time) {
		eth := &layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: net.ParseIP(sip), DstIP: net.ParseIP(dip), Id: uint16(sport)}
		tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), SYN: syn, ACK: ack, Seq: seq, Ack: ackn, Window: 64240}
		tcp.SetNetworkLayerForChecksum(ip)
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, tcp); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(b), Length: len(b)}, b); err != nil {
			t.Fatal(err)
		}
	}
	for i, psn := range []string{"10.0.0.13", "10.0.0.11"} {
		port := uint16(40001 + i)
		t0 := at.Add(time.Duration(i) * time.Second)
		frame(pc, gw, "10.1.10.23", psn, port, 8449, true, false, 1000, 0, t0)
		frame(gw, pc, psn, "10.1.10.23", 8449, port, true, true, 5000, 1001, t0.Add(300*time.Microsecond))
	}
}

func TestAnalyzeSwitchOutput(t *testing.T) {
	pcap := filepath.Join(t.TempDir(), "handshakes.pcap")
	writeHandshakes(t, pcap)
	args := []string{"analyze", "--config", "../../examples/syncwatch.yml", "--switch-output", "../../examples/switches"}
	for _, format := range []string{"json", "text"} {
		code, out, errOut := runCLI(t, append(args, "--format", format, pcap)...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q", format, code, errOut)
		}
		out = strings.ReplaceAll(out, pcap, "handshakes.pcap")
		if format == "json" {
			var doc struct {
				Attempts []json.RawMessage
				Findings []struct{ Kind, Key string }
				Resolved []json.RawMessage `json:"resolved_findings"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("invalid JSON: %v\n%s", err, out)
			}
			var kinds []string
			for _, f := range doc.Findings {
				kinds = append(kinds, f.Kind)
			}
			if len(doc.Attempts) != 2 || strings.Join(kinds, " ") != "compliant-reached dacl-permits-psn dacl-blocks-sync dacl-missing race posture-unclassified" || len(doc.Resolved) != 0 {
				t.Errorf("findings %v, %d attempts, %d resolved", kinds, len(doc.Attempts), len(doc.Resolved))
			}
		}
		golden(t, "analyze-judged."+format, out)
	}
	code, _, _ := runCLI(t, append(args, "--fail-on", "critical", pcap)...)
	if code != exitFindings {
		t.Errorf("--fail-on critical: exit %d, want 3", code)
	}
	if code, _, errOut := runCLI(t, "analyze", "--fail-on", "critical", pcap); code != exitUsage || !strings.Contains(errOut, "--fail-on needs --switch-output") {
		t.Errorf("--fail-on alone: %d %q", code, errOut)
	}
	// The same files give the same findings, whenever they are read.
	_, a, _ := runCLI(t, append(args, "--format", "json", pcap)...)
	_, b, _ := runCLI(t, append(args, "--format", "json", pcap)...)
	if a != b {
		t.Error("two runs differ")
	}
}

// TestAnalyzeLiveSwitches runs analyze --config with the example's two
// switches read live (the IOS emulator serving each one's transcript over
// SSH on loopback) instead of --switch-output: they are polled once, and
// the attempts are judged to the same findings as from the transcripts.
func TestAnalyzeLiveSwitches(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "handshakes.pcap")
	writeHandshakes(t, pcap)
	const user, password = "syncwatch", "Analyze-Passw0rd-4"
	var kh, sw strings.Builder
	sw.WriteString("switches:\n")
	for _, name := range []string{"access-sw1", "access-sw2"} {
		text, err := os.ReadFile(filepath.Join("../../examples/switches", name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := iosemu.ProfileFromTranscript(string(text))
		if err != nil {
			t.Fatal(err)
		}
		srv, err := iosemu.Listen("127.0.0.1:0", iosemu.NewSwitch(p), iosemu.ServerConfig{User: user, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		kh.WriteString(srv.KnownHostsLine() + "\n")
		host, port, _ := net.SplitHostPort(srv.Addr())
		platform := "cisco_iosxe"
		if p.Release != iosemu.ReleaseIOSXE {
			platform = "cisco_ios"
		}
		fmt.Fprintf(&sw, "  - name: %s\n    address: %s\n    platform: %s\n    ssh: {port: %s}\n", name, host, platform, port)
	}
	os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(kh.String()), 0o600)
	os.WriteFile(filepath.Join(dir, "password"), []byte(password+"\n"), 0o600)
	example, err := os.ReadFile("../../examples/syncwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	const switches = "switches:\n  - name: access-sw1\n    address: 10.10.0.1\n    platform: cisco_iosxe\n  - name: access-sw2\n    address: access-sw2.corp.example.com\n    platform: cisco_ios\n"
	if !strings.Contains(string(example), switches) {
		t.Fatal("examples/syncwatch.yml's switches changed: update the test")
	}
	cfg := strings.Replace(string(example), switches, sw.String()+"collect:\n  known_hosts: "+filepath.Join(dir, "known_hosts")+
		"\n  ssh: {username: "+user+", password: {file: "+filepath.Join(dir, "password")+"}}\n", 1)
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(cfg), 0o600)

	keys := func(out string) []string {
		t.Helper()
		var doc struct{ Findings []struct{ Kind, Key string } }
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, out)
		}
		var ks []string
		for _, f := range doc.Findings {
			ks = append(ks, f.Key)
		}
		return ks
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), &environment{stdout: &stdout, stderr: &stderr, newCollector: liveCollectorFor},
		[]string{"analyze", "--config", cfgPath, "--format", "json", pcap})
	if code != exitOK || strings.Contains(stderr.String(), password) {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	live := keys(stdout.String())
	if len(live) == 0 || !strings.HasPrefix(live[0], "compliant-reached|") {
		t.Errorf("findings from the live switches: %v", live)
	}
	_, want, _ := runCLI(t, "analyze", "--config", "../../examples/syncwatch.yml", "--switch-output", "../../examples/switches", "--format", "json", pcap)
	if got, w := strings.Join(live, "\n"), strings.Join(keys(want), "\n"); got != w {
		t.Errorf("findings from the live switches:\n%s\nwant (from their transcripts):\n%s", got, w)
	}

	// A switch that cannot be read is a warning; the others are judged
	// all the same, and the exit code says the report is incomplete.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, deadPort, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	withDead := strings.Replace(cfg, "collect:\n  known_hosts:", "  - name: dead-sw\n    address: 127.0.0.1\n    platform: cisco_iosxe\n    ssh: {port: "+deadPort+"}\ncollect:\n  retries: 0\n  known_hosts:", 1)
	os.WriteFile(cfgPath, []byte(withDead), 0o600)
	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), &environment{stdout: &stdout, stderr: &stderr, newCollector: liveCollectorFor},
		[]string{"analyze", "--config", cfgPath, "--format", "json", pcap})
	if code != exitRuntime || !strings.HasPrefix(stderr.String(), "syncwatch analyze: not every switch could be read: switch dead-sw: ") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if got := strings.Join(keys(stdout.String()), "\n"); got != strings.Join(live, "\n") {
		t.Errorf("findings with a switch down:\n%s\nwant:\n%s", got, strings.Join(live, "\n"))
	}
	var doc struct {
		Warnings []struct{ File, Message string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) != 1 || doc.Warnings[0].File != "ssh://dead-sw" || !strings.HasPrefix(doc.Warnings[0].Message, "switch not read: ") {
		t.Errorf("warnings %+v", doc.Warnings)
	}
}
