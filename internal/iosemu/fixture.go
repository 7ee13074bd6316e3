package iosemu

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

var (
	dashedLine     = regexp.MustCompile(`^\s*-{5,}\s*$`)
	interfaceField = regexp.MustCompile(`^\s*Interface:\s`)
)

// ProfileFromTranscript builds the profile of the switch a saved terminal
// session shows: its show version, the verbatim details block of every
// session (served for show ... details and show ... mac M details), its
// ACL listings and its address tables. The release is IOS-XE when the
// transcript used show access-session, else IOS 15.
func ProfileFromTranscript(text string) (Profile, error) {
	cmds, _ := ios.SplitTranscript(text)
	p := Profile{Release: ReleaseIOS15, Outputs: map[string]string{}}
	for _, c := range cmds {
		if p.Hostname == "" && c.Switch != "" {
			p.Hostname = c.Switch
		}
		if strings.Contains(strings.ToLower(c.Command), "access-session") {
			p.Release = ReleaseIOSXE
		}
		switch ios.Detect(c.Command, c.Output) {
		case ios.KindVersion:
			p.Version = c.Output
		case ios.KindSessionDetails:
			for _, block := range splitDetails(c.Output) {
				ss, _ := ios.ParseSessionDetails(block)
				if len(ss) != 1 {
					continue
				}
				p.Sessions = append(p.Sessions, sessionFrom(&ss[0], block))
			}
		case ios.KindACLs:
			if strings.Contains(strings.ToLower(c.Command), "ipv6") {
				p.ACLsV6 += c.Output
			} else {
				p.ACLs += c.Output
			}
		case ios.KindDeviceTracking, ios.KindIPDeviceTracking:
			p.Bindings = c.Output
		case ios.KindARP:
			p.Outputs["show ip arp"] = c.Output
		}
	}
	if p.Hostname == "" {
		return Profile{}, fmt.Errorf("transcript: no prompt names the switch")
	}
	return p, nil
}

// splitDetails cuts a details output into one block per session.
func splitDetails(out string) []string {
	var blocks []string
	var cur []string
	seen := false
	flush := func() {
		if seen {
			blocks = append(blocks, strings.Join(cur, "\n")+"\n")
		}
		cur, seen = nil, false
	}
	for _, line := range strings.Split(out, "\n") {
		switch {
		case dashedLine.MatchString(line):
			flush()
			continue
		case interfaceField.MatchString(line):
			if seen {
				flush()
			}
			seen = true
		}
		cur = append(cur, line)
	}
	flush()
	return blocks
}

func sessionFrom(s *ios.Session, block string) Session {
	e := Session{
		Interface: s.Interface, MAC: s.MAC, User: s.User, Domain: s.Domain,
		Unauthorized: !s.Authorized, SessionID: s.SessionID, DACL: s.DACL, DACLv6: s.DACLv6,
		URLRedirectACL: s.URLRedirectACL, URLRedirect: s.URLRedirect, VLAN: s.VLAN, Text: block,
	}
	if s.IPv4.IsValid() {
		e.IPv4 = s.IPv4.String()
	}
	for _, a := range s.IPv6 {
		e.IPv6 = append(e.IPv6, a.String())
	}
	for _, m := range s.Methods {
		if strings.Contains(strings.ToLower(m.State), "success") {
			e.Method = m.Method
			break
		}
	}
	return e
}
