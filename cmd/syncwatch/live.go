package main

import (
	"fmt"
	"time"

	"github.com/syncwatch/syncwatch/collectors/live"
	"github.com/syncwatch/syncwatch/collectors/snmp"
	"github.com/syncwatch/syncwatch/collectors/ssh"
	"github.com/syncwatch/syncwatch/config"
)

// liveConfig turns the configuration's switches and collect section into
// the live collector's settings. Secrets are read when a connection is
// opened (a rotated secret takes effect at the next one), never kept here.
// names, when given, selects switches; CheckCollect has vouched for them.
func liveConfig(cfg *config.Config, names []string) (live.Config, error) {
	col := &cfg.Collect
	policy := ssh.HostKeyStrict
	if col.HostKeyPolicy == config.HostKeyTOFU {
		policy = ssh.HostKeyTOFU
	}
	kh, err := ssh.NewKnownHosts(col.KnownHosts, policy)
	if err != nil {
		return live.Config{}, fmt.Errorf("collect: %w", err)
	}
	lc := live.Config{
		PollInterval:      col.PollInterval.D(0),
		FullSweepInterval: col.FullSweepInterval.D(0),
	}
	if col.Concurrency != nil {
		lc.Concurrency = *col.Concurrency
	}
	if col.Retries != nil {
		lc.Retries = *col.Retries
		if lc.Retries == 0 {
			lc.Retries = -1 // 0 in the file means no retry
		}
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for i := range cfg.Switches {
		s := &cfg.Switches[i]
		if len(names) > 0 && !want[s.Name] {
			continue
		}
		sw := live.Switch{Name: s.Name, SSH: sshSettings(cfg, s, kh), PollInterval: s.PollInterval.D(0)}
		if m := cfg.SwitchSNMP(s); m != nil {
			sw.SNMP = snmpSettings(s, m)
		}
		lc.Switches = append(lc.Switches, sw)
	}
	return lc, nil
}

// sshSettings returns the function that builds a switch's SSH settings,
// reading its secrets at that moment.
func sshSettings(cfg *config.Config, s *config.Switch, kh *ssh.KnownHosts) func() (ssh.Config, error) {
	e := cfg.SwitchSSH(s)
	col := &cfg.Collect
	return func() (ssh.Config, error) {
		c := ssh.Config{
			Name: s.Name, Address: s.Address, Platform: string(s.Platform), Username: e.Username, KnownHosts: kh,
			ConnectTimeout: col.ConnectTimeout.D(0), HandshakeTimeout: col.HandshakeTimeout.D(0), CommandTimeout: col.CommandTimeout.D(0),
			Algorithms: e.Algorithms(),
		}
		if e.Port != nil {
			c.Port = int(*e.Port)
		}
		read := func(what string, sec *config.Secret, dst *string) error {
			if sec == nil {
				return nil
			}
			v, err := sec.Source().Value()
			if err != nil {
				return fmt.Errorf("%s (%s): %w", what, sec, err)
			}
			*dst = v
			return nil
		}
		var key string
		for _, r := range []struct {
			what string
			sec  *config.Secret
			dst  *string
		}{
			{"password", e.Password, &c.Password},
			{"private_key", e.PrivateKey, &key},
			{"passphrase", e.Passphrase, &c.Passphrase},
			{"enable_secret", e.EnableSecret, &c.EnableSecret},
		} {
			if err := read(r.what, r.sec, r.dst); err != nil {
				return ssh.Config{}, err
			}
		}
		if key != "" {
			c.PrivateKey = []byte(key + "\n")
		}
		return c, nil
	}
}

// snmpSettings returns the function that builds a switch's SNMP settings.
func snmpSettings(s *config.Switch, m *config.SNMP) func() (snmp.Config, error) {
	return func() (snmp.Config, error) {
		c := snmp.Config{
			Name: s.Name, Address: s.Address, Version: m.Version, User: m.User,
			AuthProto: m.AuthProtocol, PrivProto: m.PrivProtocol, Timeout: time.Duration(m.Timeout),
		}
		if m.Port != nil {
			c.Port = int(*m.Port)
		}
		if m.Retries != nil {
			c.Retries = *m.Retries
			if c.Retries == 0 {
				c.Retries = -1
			}
		}
		for _, r := range []struct {
			what string
			sec  *config.Secret
			dst  *string
		}{
			{"community", m.Community, &c.Community},
			{"auth_password", m.AuthPassword, &c.AuthPass},
			{"priv_password", m.PrivPassword, &c.PrivPass},
		} {
			if r.sec == nil {
				continue
			}
			v, err := r.sec.Source().Value()
			if err != nil {
				return snmp.Config{}, fmt.Errorf("snmp %s (%s): %w", r.what, r.sec, err)
			}
			*r.dst = v
		}
		return c, nil
	}
}
