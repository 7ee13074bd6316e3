package collectors

import (
	"net/netip"

	"github.com/syncwatch/syncwatch/collectors/acl"
)

// SessionJSON is a session as syncwatch's JSON shows it (audit output, the
// API): absent values are null, lists are never null.
type SessionJSON struct {
	Switch         string       `json:"switch"`
	Interface      *string      `json:"interface"`
	MAC            *string      `json:"mac"`
	IPv4           *netip.Addr  `json:"ipv4"`
	IPv6           []netip.Addr `json:"ipv6"`
	User           *string      `json:"user"`
	Status         *string      `json:"status"`
	Authorized     bool         `json:"authorized"`
	Domain         *string      `json:"domain"`
	Methods        []MethodJSON `json:"methods"`
	SessionID      *string      `json:"session_id"`
	DACL           *string      `json:"dacl"`
	DACLv6         *string      `json:"dacl_ipv6"`
	FilterID       *string      `json:"filter_id"`
	URLRedirectACL *string      `json:"url_redirect_acl"`
	URLRedirect    *string      `json:"url_redirect"`
	VLAN           *string      `json:"vlan"`
	Posture        Posture      `json:"posture"`
	PostureRule    string       `json:"posture_rule"`
}

// MethodJSON is one authentication method of a session and its state
// (null when a summary did not print it).
type MethodJSON struct {
	Method string  `json:"method"`
	State  *string `json:"state"`
}

// JSON returns the session's JSON form with the posture rules give it.
func (s *Session) JSON(rules PostureRules) SessionJSON {
	p, rule := rules.Classify(s.FilterACL(acl.IPv4), s.DACLv6, s.URLRedirect)
	j := SessionJSON{
		Switch:         s.Switch,
		Interface:      null(s.Interface),
		MAC:            null(s.MAC),
		IPv6:           []netip.Addr{},
		User:           null(s.User),
		Status:         null(s.Status),
		Authorized:     s.Authorized,
		Domain:         null(s.Domain),
		Methods:        []MethodJSON{},
		SessionID:      null(s.SessionID),
		DACL:           null(s.DACL),
		DACLv6:         null(s.DACLv6),
		FilterID:       null(s.FilterID),
		URLRedirectACL: null(s.URLRedirectACL),
		URLRedirect:    null(s.URLRedirect),
		VLAN:           null(s.VLAN),
		Posture:        p,
		PostureRule:    rule,
	}
	if s.URLRedirectACL == "" {
		j.URLRedirectACL = null(s.URLRedirectACLv6)
	}
	if s.IPv4.IsValid() {
		a := s.IPv4
		j.IPv4 = &a
	}
	j.IPv6 = append(j.IPv6, s.IPv6...)
	for _, m := range s.Methods {
		j.Methods = append(j.Methods, MethodJSON{Method: m.Method, State: null(m.State)})
	}
	return j
}

// ACLJSON is an access list as syncwatch's JSON shows it.
type ACLJSON struct {
	Switch  *string        `json:"switch"`
	Name    string         `json:"name"`
	PerUser bool           `json:"per_user"`
	Family  string         `json:"family"`
	Entries []ACLEntryJSON `json:"entries"`
}

// ACLEntryJSON is one entry: its sequence number (null when the listing
// had none), action (permit, deny, remark, evaluate, unparsed), text as
// listed and match counter (null when the listing printed none; IOS omits
// the counter of an entry that matched nothing).
type ACLEntryJSON struct {
	Seq     *int   `json:"seq"`
	Action  string `json:"action"`
	Text    string `json:"text"`
	Matches *int64 `json:"matches"`
}

// JSON returns the access list's JSON form.
func (a *ACL) JSON() ACLJSON {
	j := ACLJSON{Switch: null(a.Switch), Name: a.Name, PerUser: a.PerUser, Family: a.Family.String(), Entries: []ACLEntryJSON{}}
	for i := range a.Compiled.Entries {
		e := &a.Compiled.Entries[i]
		ej := ACLEntryJSON{Action: e.Action.String(), Text: e.String()}
		if i < len(a.Printed) {
			ej.Text = a.Printed[i]
		}
		if e.Seq != 0 {
			seq := e.Seq
			ej.Seq = &seq
		}
		if a.Matches != nil {
			m := a.Matches[i]
			ej.Matches = &m
		}
		j.Entries = append(j.Entries, ej)
	}
	return j
}

func null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
