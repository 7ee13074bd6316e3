package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/collectors/ssh"
)

const collectDoc = `collect:
  poll_interval: 30s
  full_sweep_interval: 10m
  concurrency: 8
  connect_timeout: 3s
  handshake_timeout: 4s
  command_timeout: 5s
  retries: 1
  known_hosts: /tmp/known_hosts
  host_key_policy: trust-on-first-use
  ssh:
    username: syncwatch
    password: {env: SYNCWATCH_TEST_SSH_PW}
    enable_secret: {file: testdata/secret.txt}
    key_exchanges: ["+diffie-hellman-group1-sha1"]
    ciphers: ["+aes128-cbc"]
  snmp:
    version: "3"
    user: monitor
    auth_protocol: SHA-256
    auth_password: {file: testdata/secret.txt}
    priv_protocol: AES-256-C
    priv_password: {file: testdata/secret.txt}
switches:
  - name: sw1
    address: 10.10.0.1
    platform: cisco_iosxe
  - name: sw2
    address: 10.10.0.2
    platform: cisco_ios
    ssh: {username: other, port: 2222, ciphers: [aes128-cbc, 3des-cbc], macs: [hmac-sha1], host_key_algorithms: [ssh-rsa]}
    snmp: {user: other, timeout: 1s}
    poll_interval: 5m
  - name: sw3
    address: 10.10.0.3
    platform: cisco_iosxe
    ssh: {key_exchanges: [default]}
`

func TestCollectSection(t *testing.T) {
	t.Setenv("SYNCWATCH_TEST_SSH_PW", "from-env")
	c, err := Parse("c.yml", []byte(collectDoc))
	if err != nil {
		t.Fatal(err)
	}
	col := c.Collect
	if col.PollInterval.D(0) != 30*time.Second || col.FullSweepInterval.D(0) != 10*time.Minute || *col.Concurrency != 8 ||
		col.ConnectTimeout.D(0) != 3*time.Second || col.HandshakeTimeout.D(0) != 4*time.Second || col.CommandTimeout.D(0) != 5*time.Second ||
		*col.Retries != 1 || col.KnownHosts != "/tmp/known_hosts" || col.HostKeyPolicy != HostKeyTOFU {
		t.Errorf("collect: %+v", col)
	}
	if c.Switches[0].PollInterval != 0 || c.Switches[1].PollInterval.D(0) != 5*time.Minute {
		t.Errorf("poll intervals %v %v", c.Switches[0].PollInterval, c.Switches[1].PollInterval)
	}
	s1, s2 := c.SwitchSSH(&c.Switches[0]), c.SwitchSSH(&c.Switches[1])
	if s1.Username != "syncwatch" || s1.Port != nil || s1.Password.String() != "environment variable SYNCWATCH_TEST_SSH_PW" {
		t.Errorf("sw1 ssh: %+v", s1)
	}
	if s2.Username != "other" || *s2.Port != 2222 || s2.Password == nil || s2.EnableSecret.String() != "file testdata/secret.txt" {
		t.Errorf("sw2 ssh: %+v", s2)
	}
	// Each list of a switch replaces the collect section's, whole.
	if got, want := s1.Algorithms(), (ssh.Algorithms{KeyExchanges: []string{"+diffie-hellman-group1-sha1"}, Ciphers: []string{"+aes128-cbc"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("sw1 algorithms %+v, want %+v", got, want)
	}
	if got, want := s2.Algorithms(), (ssh.Algorithms{KeyExchanges: []string{"+diffie-hellman-group1-sha1"}, Ciphers: []string{"aes128-cbc", "3des-cbc"},
		MACs: []string{"hmac-sha1"}, HostKeys: []string{"ssh-rsa"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("sw2 algorithms %+v, want %+v", got, want)
	}
	// [default] returns one switch to the library's defaults.
	s3 := c.SwitchSSH(&c.Switches[2])
	if got, want := s3.Algorithms(), (ssh.Algorithms{KeyExchanges: []string{"default"}, Ciphers: []string{"+aes128-cbc"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("sw3 algorithms %+v, want %+v", got, want)
	}
	n1, n2 := c.SwitchSNMP(&c.Switches[0]), c.SwitchSNMP(&c.Switches[1])
	if n1.User != "monitor" || n1.PrivProtocol != "AES-256-C" || n1.Timeout != 0 {
		t.Errorf("sw1 snmp: %+v", n1)
	}
	if n2.User != "other" || n2.AuthProtocol != "SHA-256" || n2.Timeout.D(0) != time.Second {
		t.Errorf("sw2 snmp: %+v", n2)
	}
	if err := c.CheckCollect(); err != nil {
		t.Errorf("CheckCollect: %v", err)
	}
	if err := c.CheckCollect("sw2", "sw9"); err == nil || err.Error() != `c.yml: no switch named "sw9" in the configuration` {
		t.Errorf("CheckCollect of an unknown switch: %v", err)
	}
}

func TestCheckCollect(t *testing.T) {
	c, err := Parse("d.yml", []byte("switches:\n  - name: sw1\n    address: 10.0.0.1\n    platform: cisco_ios\n    ssh: {username: u}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"d.yml: collect: known_hosts is required (host keys are always checked)",
		`d.yml:2: switch "sw1": no ssh password or private_key (collect.ssh or the switch's ssh)`,
	}, "\n")
	if err := c.CheckCollect(); err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	empty, _ := Parse("e.yml", nil)
	if err := empty.CheckCollect(); err == nil || !strings.Contains(err.Error(), "no switches") {
		t.Errorf("no switches: %v", err)
	}
}
