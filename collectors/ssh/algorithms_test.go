package ssh

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	xssh "golang.org/x/crypto/ssh"
)

func TestCheckAlgorithms(t *testing.T) {
	for _, tc := range []struct {
		kind  string
		names []string
		err   string
	}{
		{KindKeyExchanges, nil, ""},
		{KindKeyExchanges, []string{"+diffie-hellman-group1-sha1", "+diffie-hellman-group-exchange-sha1"}, ""},
		{KindCiphers, []string{"aes128-ctr", "aes128-cbc", "3des-cbc"}, ""},
		{KindMACs, []string{"hmac-sha1-96"}, ""},
		{KindKeyExchanges, []string{"curve25519-sha256@libssh.org"}, ""},
		{KindHostKeys, []string{"ssh-rsa", "rsa-sha2-256"}, ""},
		{KindCiphers, []string{}, "ciphers: an empty list offers nothing (leave the key out for the defaults)"},
		{KindCiphers, []string{"+aes128-cbc", "aes128-ctr"}, `ciphers: "aes128-ctr": either every name adds to the defaults (+name) or none does`},
		{KindCiphers, []string{"aes128-ctr", "+aes128-cbc"}, `ciphers: "+aes128-cbc": either every name adds to the defaults (+name) or none does`},
		{KindMACs, []string{"+"}, "macs: an empty name"},
		{KindHostKeys, []string{"ssh-rsa", "ssh-rsa"}, `host_key_algorithms: "ssh-rsa" given twice`},
		{KindKeyExchanges, []string{"ssh-rsa"}, `key_exchanges: "ssh-rsa" is not an algorithm syncwatch's SSH library implements (it does: ` + strings.Join(implemented(KindKeyExchanges), ", ") + ")"},
		{KindCiphers, []string{"aes\x1b[2J"}, `ciphers: "aes?[2J" is not an algorithm syncwatch's SSH library implements (it does: ` + strings.Join(implemented(KindCiphers), ", ") + ")"},
		{"compression", []string{"zlib"}, `unknown kind of SSH algorithm "compression"`},
		{KindCiphers, []string{"default"}, ""},
		{KindCiphers, []string{"default", "aes128-ctr"}, `ciphers: "default" keeps the defaults and goes alone`},
		{KindMACs, []string{"+hmac-sha1", "default"}, `macs: "default" keeps the defaults and goes alone`},
	} {
		err := CheckAlgorithms(tc.kind, tc.names)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%s %q:\n got %q\nwant %q", tc.kind, tc.names, got, tc.err)
		}
	}
}

// TestAlgorithmsApply: nil keeps the library's defaults, plain names
// replace them, "+" names follow them.
func TestAlgorithmsApply(t *testing.T) {
	var def xssh.Config
	def.SetDefaults()
	var cc xssh.ClientConfig
	Algorithms{}.apply(&cc)
	if cc.KeyExchanges != nil || cc.Ciphers != nil || cc.MACs != nil || cc.HostKeyAlgorithms != nil {
		t.Errorf("no lists: %+v", cc.Config)
	}
	Algorithms{
		KeyExchanges: []string{"+diffie-hellman-group1-sha1", "+curve25519-sha256"},
		Ciphers:      []string{"aes128-cbc"},
		HostKeys:     []string{"+ssh-rsa"},
	}.apply(&cc)
	if want := append(slices.Clone(def.KeyExchanges), "diffie-hellman-group1-sha1"); !reflect.DeepEqual(cc.KeyExchanges, want) {
		t.Errorf("key exchanges %q, want %q", cc.KeyExchanges, want)
	}
	if !reflect.DeepEqual(cc.Ciphers, []string{"aes128-cbc"}) || cc.MACs != nil {
		t.Errorf("ciphers %q, macs %q", cc.Ciphers, cc.MACs)
	}
	if want := implemented(KindHostKeys); !reflect.DeepEqual(cc.HostKeyAlgorithms, want) || !slices.Contains(want, "ssh-rsa") {
		t.Errorf("host keys %q, want %q", cc.HostKeyAlgorithms, want)
	}
	// [default] undoes a list: the library's defaults, and host keys
	// ordered by known_hosts as with no list.
	d := []string{Default}
	Algorithms{KeyExchanges: d, Ciphers: d, MACs: d, HostKeys: d}.apply(&cc)
	if cc.KeyExchanges != nil || cc.Ciphers != nil || cc.MACs != nil || cc.HostKeyAlgorithms != nil {
		t.Errorf("[default] lists: %+v", cc.Config)
	}
	if replaces(d) || !replaces([]string{"aes128-cbc"}) || replaces([]string{"+aes128-cbc"}) || replaces(nil) {
		t.Error("replaces: [default] and +name keep the defaults, plain names replace them")
	}
}

// TestNegotiationError checks the explanation of each kind of failed
// negotiation, the pseudo-algorithms left out and a hostile peer's list
// bounded.
func TestNegotiationError(t *testing.T) {
	long := make([]string, 30)
	for i := range long {
		long[i] = "x" + string(rune('a'+i%26))
	}
	for _, tc := range []struct {
		ne         *xssh.AlgorithmNegotiationError
		configured Algorithms
		want       string
	}{
		{&xssh.AlgorithmNegotiationError{What: "host key", RequestedAlgorithms: []string{"ssh-dss"}, SupportedAlgorithms: []string{"ssh-ed25519"}}, Algorithms{},
			"no common host key algorithm: the switch offers [ssh-dss], syncwatch offers [ssh-ed25519]; syncwatch's SSH library implements none of the switch's (upgrade the switch's SSH)"},
		{&xssh.AlgorithmNegotiationError{What: "server to client MAC", RequestedAlgorithms: []string{"hmac-md5", "hmac-sha1-96"}, SupportedAlgorithms: []string{"hmac-sha2-256"}}, Algorithms{},
			`no common server to client MAC algorithm: the switch offers [hmac-md5 hmac-sha1-96], syncwatch offers [hmac-sha2-256]; if the switch cannot be upgraded, allow hmac-sha1-96 with ssh.macs: ["+hmac-sha1-96"] for this switch`},
		{&xssh.AlgorithmNegotiationError{What: "key exchange", RequestedAlgorithms: []string{"diffie-hellman-group1-sha1", "kex-strict-s-v00@openssh.com"}, SupportedAlgorithms: []string{"curve25519-sha256", "ext-info-c", "kex-strict-c-v00@openssh.com"}}, Algorithms{},
			`no common key exchange algorithm: the switch offers [diffie-hellman-group1-sha1], syncwatch offers [curve25519-sha256]; if the switch cannot be upgraded, allow diffie-hellman-group1-sha1 with ssh.key_exchanges: ["+diffie-hellman-group1-sha1"] for this switch`},
		{&xssh.AlgorithmNegotiationError{What: "host key", RequestedAlgorithms: []string{"ssh-ed25519"}, SupportedAlgorithms: []string{"ssh-rsa"}},
			Algorithms{HostKeys: []string{"ssh-rsa"}},
			"no common host key algorithm: the switch offers [ssh-ed25519], syncwatch offers [ssh-rsa]; the switch's ssh.host_key_algorithms allows only those: add ssh-ed25519 to it, or set it to [default] to offer the defaults"},
		{&xssh.AlgorithmNegotiationError{What: "key exchange", RequestedAlgorithms: []string{"diffie-hellman-group1-sha1"}, SupportedAlgorithms: []string{"curve25519-sha256"}},
			Algorithms{KeyExchanges: []string{"+diffie-hellman-group-exchange-sha1"}},
			`no common key exchange algorithm: the switch offers [diffie-hellman-group1-sha1], syncwatch offers [curve25519-sha256]; if the switch cannot be upgraded, allow diffie-hellman-group1-sha1 with ssh.key_exchanges: ["+diffie-hellman-group1-sha1"] for this switch`},
		{&xssh.AlgorithmNegotiationError{What: "client to server compression", RequestedAlgorithms: []string{"zlib"}}, Algorithms{},
			"no common client to server compression algorithm: the switch offers [zlib]"},
		{&xssh.AlgorithmNegotiationError{What: "client to server cipher", RequestedAlgorithms: long}, Algorithms{},
			"no common client to server cipher algorithm: the switch offers [xa xb xc xd xe xf xg xh xi xj xk xl xm xn xo xp xq xr xs xt ...], syncwatch offers []; syncwatch's SSH library implements none of the switch's (upgrade the switch's SSH)"},
	} {
		err := negotiationError(errors.Join(errors.New("ssh: handshake failed"), tc.ne), tc.configured)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.ne.What, err, tc.want)
		}
	}
	if err := negotiationError(errors.New("ssh: handshake failed: EOF"), Algorithms{}); err != nil {
		t.Errorf("another error: %v", err)
	}
}
