package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/collectors"
)

// summary renders what a Config holds, for exact comparison.
func summary(c *Config) []string {
	var out []string
	for _, p := range c.PSNs {
		var as []string
		for _, a := range p.Addresses {
			as = append(as, a.String())
		}
		out = append(out, fmt.Sprintf("psn %s %s (line %d)", p.Name, strings.Join(as, " "), p.line))
	}
	out = append(out, fmt.Sprintf("ports %v", c.PortList()))
	for _, r := range c.PostureRules() {
		out = append(out, fmt.Sprintf("rule %s -> %s", r.Name(), r.Posture))
	}
	for _, s := range c.Switches {
		out = append(out, fmt.Sprintf("switch %s %s %s (line %d)", s.Name, s.Address, s.Platform, s.line))
	}
	return out
}

func TestLoadGood(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"testdata/good.yml", []string{
			"psn psn1 10.0.0.11 2001:db8::11 (line 2)",
			"psn psn2 10.0.0.12 10.0.0.14 (line 4)",
			"ports [8449 8450]",
			"rule dacl:^PHONES$ -> unclassified",
			"rule dacl:(?i)quarantine -> noncompliant",
			"rule url-redirect:action=cpp -> pending",
			"rule url-redirect -> unknown",
			"switch access-sw1 10.10.0.1 cisco_iosxe (line 20)",
			"switch access-sw2 access-sw2.corp.example.com. cisco_ios (line 23)",
		}},
		{"testdata/empty.yml", []string{
			"ports [8449]",
			"rule dacl:(?i)non.?compliant -> noncompliant",
			"rule dacl:(?i)compliant -> compliant",
			"rule url-redirect -> unknown",
		}},
		{"../examples/syncwatch.yml", []string{
			"psn psn1 10.0.0.11 2001:db8::11 (line 12)",
			"psn psn2 10.0.0.12 2001:db8::12 (line 14)",
			"psn psn3 10.0.0.13 (line 16)",
			"ports [8449]",
			"rule dacl:(?i)non.?compliant -> noncompliant",
			"rule dacl:(?i)compliant -> compliant",
			"rule url-redirect -> unknown",
			"switch access-sw1 10.10.0.1 cisco_iosxe (line 121)",
			"switch access-sw2 access-sw2.corp.example.com cisco_ios (line 124)",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			c, err := Load(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%s", strings.Join(got, "\n"))
			}
			if c.File() != tc.file {
				t.Errorf("File() = %q", c.File())
			}
		})
	}
	c, err := Load("../examples/syncwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.PostureRules(), collectors.DefaultPostureRules()) {
		t.Error("the example's posture rules are not the defaults it says they are")
	}
	if c.PSNName(netip.MustParseAddr("2001:db8::12")) != "psn2" || c.PSNName(netip.MustParseAddr("::ffff:10.0.0.13")) != "psn3" ||
		c.PSNName(netip.MustParseAddr("10.0.0.99")) != "" {
		t.Error("PSNName")
	}
	var nilConfig *Config
	if !reflect.DeepEqual(nilConfig.PortList(), []uint16{8449}) || len(nilConfig.PostureRules()) != 3 || nilConfig.PSNName(netip.MustParseAddr("10.0.0.11")) != "" {
		t.Error("a nil Config does not give the defaults")
	}
}

// TestLoadBad checks that every bad file in testdata gives exactly its
// one error.
func TestLoadBad(t *testing.T) {
	want := map[string]string{
		"invalid-yaml-syntax.yml":                   `2: YAML syntax error near here: did not find expected ',' or ']'`,
		"invalid-yaml-syntax-first-line.yml":        `1: YAML syntax error near here: did not find expected node content`,
		"invalid-two-documents.yml":                 `2: a second YAML document (after ---): the configuration is one document`,
		"invalid-unknown-top-level-key.yml":         `4: unknown key "psn_port" in the top level (known: alertmanager, capture, collect, data_dir, evidence, findings_log, http, judge, ports, posture, psns, sensor, switches, transcripts, webhooks)`,
		"invalid-key-twice.yml":                     `4: key "name" given twice in a switches entry (also line 2)`,
		"invalid-unknown-psn-key.yml":               `3: unknown key "address" in a psns entry (known: addresses, name)`,
		"invalid-psns-not-a-list.yml":               `2: psns must be a list, not a mapping`,
		"invalid-name-not-a-value.yml":              `2: name must be a single value, not a list`,
		"invalid-psn-without-name.yml":              `2: psns entry 1 has no name`,
		"invalid-psn-duplicate-name.yml":            `4: PSN name "psn1" given twice (also line 2)`,
		"invalid-psn-without-addresses.yml":         `2: PSN "psn1" has no addresses`,
		"invalid-psn-bad-address.yml":               `3: "10.0.0.300" is not an IPv4 or IPv6 address`,
		"invalid-psn-address-twice.yml":             `4: address 10.0.0.11 of PSN "psn2" is also PSN "psn1"'s`,
		"invalid-psn-address-list.yml":              `3: addresses must be a list, not "10.0.0.11"`,
		"invalid-port.yml":                          `1: "70000" is not a TCP port (1-65535)`,
		"invalid-port-name.yml":                     `2: "https" is not a TCP port (1-65535)`,
		"invalid-port-twice.yml":                    `3: port 8449 given twice in ports (also line 2)`,
		"invalid-posture-unknown-key.yml":           `2: unknown key "default" in posture (known: rules)`,
		"invalid-posture-rule-without-match.yml":    `3: posture rule 1 needs dacl (a pattern for dACL names) or url_redirect (a pattern for redirect URLs, '' for any)`,
		"invalid-posture-rule-both-matches.yml":     `3: posture rule 1 has both dacl and url_redirect: give one per rule`,
		"invalid-posture-rule-bad-pattern.yml":      "3: posture rule 1: dACL pattern \"(?i)compliant(\": error parsing regexp: missing closing ): `(?i)compliant(`",
		"invalid-posture-rule-bad-posture.yml":      `4: "Compliant" is not a posture (compliant, noncompliant, unknown, pending or unclassified)`,
		"invalid-posture-rule-without-posture.yml":  `3: posture rule 1 has no posture (compliant, noncompliant, unknown, pending or unclassified)`,
		"invalid-switch-without-name.yml":           `2: switches entry 1 has no name`,
		"invalid-switch-duplicate-name.yml":         `5: switch name "access-sw1" given twice (also line 2)`,
		"invalid-switch-platform.yml":               `4: platform "cisco_nxos" is not supported (cisco_ios or cisco_iosxe)`,
		"invalid-switch-without-platform.yml":       `2: switch "access-sw1" has no platform (cisco_ios or cisco_iosxe)`,
		"invalid-switch-address.yml":                `2: switch "access-sw1": address "10.10.0.1 port 22" is not an IP address or host name`,
		"invalid-capture-unknown-key.yml":           `2: unknown key "interface" in capture (known: answer_timeout, grace, interfaces, max_attempts, snaplen)`,
		"invalid-capture-interfaces-not-a-list.yml": `2: interfaces must be a list, not "span0"`,
		"invalid-capture-snaplen-type.yml":          "3: expected a whole number, got a string `big`",
		"invalid-capture-snaplen.yml":               `3: capture.snaplen 64 is outside 128..65535`,
		"invalid-capture-timeout-too-long.yml":      `4: capture.grace 2500000h0m0s is longer than 24h0m0s`,
		"invalid-capture-interface-twice.yml":       `2: capture interface "span0" listed twice`,
		"invalid-judge-duration.yml":                `2: "10" is not a duration (give a unit: 10s, 5m)`,
		"invalid-judge-duration-word.yml":           `2: "soon" is not a duration`,
		"invalid-secret-inline.yml":                 `5: a secret is never written in the configuration file: give {env: VARIABLE} or {file: PATH}`,
		"invalid-secret-file-missing.yml":           `3: secret file: open testdata/no-such-secret: no such file or directory`,
		"invalid-alertmanager-peer-url.yml":         `4: not an http:// or https:// URL`,
		"invalid-alertmanager-url-credentials.yml":  `2: credentials written in a URL: use basic_auth with a password {file: ...} or {env: ...}`,
		"invalid-alertmanager-no-peers.yml":         `2: alertmanager has no peers: give the base URL of every Alertmanager of the cluster`,
		"invalid-alertmanager-severity.yml":         `3: "page" is not a severity (critical, warning or info)`,
		"invalid-alertmanager-tls.yml":              `4: alertmanager: tls needs both cert_file and key_file, or neither`,
		"invalid-webhook-without-url.yml":           `2: webhooks entry 1 has no url`,
		"invalid-webhook-name-twice.yml":            `3: webhook name "oncall.example.com" given twice (also line 2): give each webhook its own name`,
		"invalid-webhook-unknown-key.yml":           `3: unknown key "secrets" in a webhooks entry (known: basic_auth, bearer_token, min_severity, name, secret, timeout, tls, url)`,
		"invalid-http-listen.yml":                   `2: http.listen "9849": not host:port (e.g. :9849 or 127.0.0.1:9849)`,
		"invalid-http-listen-port.yml":              `2: http.listen ":98490": port "98490" is not a TCP port`,
		"invalid-http-web-config.yml":               `3: http.web_config_file testdata/web-config-typo.yml: line 1: field basic_auth_user not found in type web.Config`,
		"invalid-http-web-config-device.yml":        `2: http.web_config_file /dev/zero: not a regular file of at most 4 MiB`,
		"invalid-evidence-negative.yml":             `2: evidence bounds must not be negative`,
		"invalid-transcripts-not-a-list.yml":        `1: transcripts must be a list, not "/etc/syncwatch/switches"`,
		"invalid-collect-concurrency.yml":           `2: collect: concurrency must be 1 or more, not 0`,
		"invalid-collect-duration.yml":              `2: "30" is not a duration (give a unit: 10s, 5m)`,
		"invalid-collect-host-key-policy.yml":       `2: collect: host_key_policy "tofu" is not strict or trust-on-first-use`,
		"invalid-collect-retries.yml":               `2: collect: retries cannot be negative (-1)`,
		"invalid-collect-unknown-key.yml":           `3: unknown key "pollinterval" in collect (known: command_timeout, concurrency, connect_timeout, full_sweep_interval, handshake_timeout, host_key_policy, known_hosts, poll_interval, retries, snmp, ssh)`,
		"invalid-snmp-auth-protocol.yml":            `5: collect.snmp: auth_protocol "MD5" is not supported (SHA or SHA-256)`,
		"invalid-snmp-priv-protocol.yml":            `7: collect.snmp: priv_protocol "DES" is not supported (AES-128, AES-256 or AES-256-C, the Cisco variant)`,
		"invalid-snmp-priv-without-password.yml":    `6: switch "access-sw1": snmp: priv_protocol and priv_password go together`,
		"invalid-snmp-v2c-without-community.yml":    `3: collect.snmp: version 2c needs community`,
		"invalid-snmp-v3-without-user.yml":          `6: switch "access-sw1": snmp: version 3 needs user`,
		"invalid-snmp-version.yml":                  `3: collect.snmp: version "1" is not supported ("2c" or "3")`,
		"invalid-ssh-inline-password.yml":           `4: a secret is never written in the configuration file: give {env: VARIABLE} or {file: PATH}`,
		"invalid-ssh-passphrase-without-key.yml":    `3: collect.ssh: passphrase given without private_key`,
		"invalid-switch-ssh-unknown-key.yml":        `5: unknown key "user" in ssh (known: ciphers, enable_secret, host_key_algorithms, key_exchanges, macs, passphrase, password, port, private_key, username)`,
		"invalid-ssh-algorithms-mixed.yml":          `5: collect.ssh: ciphers: "aes128-ctr": either every name adds to the defaults (+name) or none does`,
		"invalid-ssh-algorithm-twice.yml":           `6: switch "access-sw1": ssh: key_exchanges: "diffie-hellman-group1-sha1" given twice`,
		"invalid-ssh-algorithms-not-a-list.yml":     `4: ssh: ciphers must be a list of names, not "aes128-cbc"`,
		"invalid-ssh-algorithms-empty.yml":          `3: collect.ssh: macs: an empty list offers nothing (leave the key out for the defaults)`,
	}
	files, err := filepath.Glob("testdata/invalid-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d bad files, %d expected messages: every bad file needs its message here", len(files), len(want))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			msg, ok := want[filepath.Base(f)]
			if !ok {
				t.Fatal("no expected message")
			}
			c, err := Load(f)
			var errs Errors
			if c != nil || !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("got %v, %v; want one error", c, err)
			}
			if got := err.Error(); got != f+":"+msg {
				t.Errorf("got  %s\nwant %s:%s", got, f, msg)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load("testdata/nonexistent.yml"); err == nil || err.Error() != "config: open testdata/nonexistent.yml: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	// Several problems: all reported, in line order.
	_, err := Parse("x.yml", []byte("switches:\n  - name: a\n    platform: junos\n    address: 10.0.0.1\npsns:\n  - name: p\n    addresses: [bad]\n"))
	want := "x.yml:3: platform \"junos\" is not supported (cisco_ios or cisco_iosxe)\nx.yml:7: \"bad\" is not an IPv4 or IPv6 address"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	big := filepath.Join(t.TempDir(), "big.yml")
	if err := os.WriteFile(big, make([]byte, MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || err.Error() != big+": larger than 4 MiB: not a configuration file" {
		t.Errorf("big file: %v", err)
	}
	for _, text := range []string{"a: *b\n", "[1, 2]\n", "just text\n", "psns: !!binary aGVsbG8=\n", "ports: [*x]\n"} {
		if c, err := Parse("y.yml", []byte(text)); err == nil || c != nil || !strings.HasPrefix(err.Error(), "y.yml") {
			t.Errorf("%q: %v, %v", text, c, err)
		}
	}
}

// FuzzParse checks that no input crashes the loader and that every error
// names the file.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yml")
	files = append(files, "../examples/syncwatch.yml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("psns: [{name: x, addresses: [::1%eth0]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yml", data)
		if (c == nil) == (err == nil) {
			t.Fatalf("config %v and error %v", c, err)
		}
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yml") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		_ = c.PostureRules()
		_ = c.PortList()
	})
}

func TestLoadDaemon(t *testing.T) {
	t.Setenv("SYNCWATCH_TEST_AM_PASSWORD", "test-only-password")
	c, err := Load("testdata/daemon.yml")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{
		fmt.Sprintf("sensor %s", c.Sensor.Name),
		fmt.Sprintf("capture %v %d %s %s %d", c.Capture.Interfaces, c.Capture.Snaplen, c.Capture.AnswerTimeout, c.Capture.Grace, c.Capture.MaxAttempts),
		fmt.Sprintf("judge %d %s %s %s %s", c.Judge.PSNDownEndpoints, c.Judge.PSNDownWindow, c.Judge.Hold, c.Judge.SilenceFloor, c.Judge.ConfirmTimeout),
		fmt.Sprintf("am %s %s %s %s %s %v %s", c.Alertmanager.Peers[0].String(), c.Alertmanager.Peers[1].String(), c.Alertmanager.MinSeverity,
			c.Alertmanager.ResendInterval, c.Alertmanager.ExternalURL.String(), c.Alertmanager.SensorLabel, c.Alertmanager.Timeout),
		fmt.Sprintf("am auth %s %s tls %s %s", c.Alertmanager.BasicAuth.Username, c.Alertmanager.BasicAuth.Password, c.Alertmanager.TLS.CAFile, c.Alertmanager.TLS.ServerName),
		fmt.Sprintf("runbook %s", c.Alertmanager.RunbookURL.String()),
		fmt.Sprintf("webhook %s %s %s %s", c.WebhookName(0), c.Webhooks[0].Secret, c.Webhooks[0].MinSeverity, c.Webhooks[0].Timeout),
		fmt.Sprintf("webhook %s %s %s", c.WebhookName(1), c.Webhooks[1].URL.String(), c.Webhooks[1].BearerToken),
		fmt.Sprintf("log %s listen %s web %q data %s evidence %d %d", c.FindingsLog, c.ListenAddress(), c.HTTP.WebConfigFile, c.DataDir, c.Evidence.MaxFiles, c.Evidence.MaxBytes),
		fmt.Sprintf("transcripts %v", c.Transcripts),
	}
	want := []string{
		"sensor span-host-1",
		"capture [span0 span1] 512 5s 1m0s 20000",
		"judge 8 2m0s 15m0s 6m0s 20s",
		"am http://alertmanager-1:9093 https://am.example.com/prefix/ critical 30s http://span-host-1:9849 true 4s",
		"am auth syncwatch environment variable SYNCWATCH_TEST_AM_PASSWORD tls /etc/ssl/am-ca.pem am.example.com",
		"runbook https://wiki.example.com/syncwatch",
		"webhook oncall.example.com file testdata/webhook-hmac.secret warning 3s",
		"webhook chat http://127.0.0.1:8080/chat environment variable SYNCWATCH_TEST_AM_PASSWORD",
		`log - listen 127.0.0.1:19849 web "" data /var/lib/syncwatch evidence 50 1048576`,
		"transcripts [../examples/switches /etc/syncwatch/more]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s", strings.Join(got, "\n"))
	}
	empty, err := Load("testdata/empty.yml")
	if err != nil {
		t.Fatal(err)
	}
	if empty.ListenAddress() != DefaultListen || len(empty.Alertmanager.Peers) != 0 || len(empty.Capture.Interfaces) != 0 {
		t.Error("the defaults of an empty file")
	}
	// The secret's value appears nowhere in the configuration's errors.
	t.Setenv("SYNCWATCH_TEST_AM_PASSWORD", "")
	_, err = Load("testdata/daemon.yml")
	if err == nil || err.Error() != "testdata/daemon.yml:26: environment variable SYNCWATCH_TEST_AM_PASSWORD is not set or empty\ntestdata/daemon.yml:35: environment variable SYNCWATCH_TEST_AM_PASSWORD is not set or empty" {
		t.Errorf("unset secret: %v", err)
	}
}

// TestExampleDocumentsEveryKey checks that examples/syncwatch.yml names
// every key of the configuration (set or in a comment).
func TestExampleDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../examples/syncwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	example := string(b)
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, path string) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] || ty.PkgPath() != reflect.TypeFor[Config]().PkgPath() {
			return
		}
		seen[ty] = true
		for i := 0; i < ty.NumField(); i++ {
			f := ty.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if opts == "inline" {
				walk(f.Type, path)
				continue
			}
			if name == "" || name == "-" {
				continue
			}
			if !strings.Contains(example, name+":") {
				t.Errorf("examples/syncwatch.yml does not document %s%s", path, name)
			}
			walk(f.Type, path+name+".")
		}
	}
	walk(reflect.TypeFor[Config](), "")
}
