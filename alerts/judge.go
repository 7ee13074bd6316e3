package alerts

import (
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
)

// JudgeConfig is what the judge decides attempts against.
type JudgeConfig struct {
	// PSNs name the PSN addresses in findings; an attempt to an address
	// not listed is judged all the same, its PSN unnamed.
	PSNs []PSN
	// Rules read a session's posture from what the switch shows.
	Rules collectors.PostureRules
}

// Judge applies the verdict table of DOMAIN.md to attempts: it finds the
// endpoint's session in an inventory snapshot and evaluates the session's
// ACLs, as now applied, for the attempt's SYN. It is a pure function of the
// attempt and the snapshot (no clock, no I/O) and safe for concurrent use;
// it keeps one index per snapshot so that a healthy attempt is judged
// without allocating.
type Judge struct {
	rules collectors.PostureRules
	names map[netip.Addr]string

	mu    sync.Mutex // serializes index builds
	index atomic.Pointer[sessionIndex]
}

// NewJudge returns a judge for cfg; without rules the defaults apply.
func NewJudge(cfg JudgeConfig) *Judge {
	j := &Judge{rules: cfg.Rules, names: map[netip.Addr]string{}}
	if len(j.rules) == 0 {
		j.rules = collectors.DefaultPostureRules()
	}
	for _, p := range cfg.PSNs {
		for _, a := range p.Addrs {
			j.names[a.Unmap()] = p.Name
		}
	}
	return j
}

// Prepare indexes snap now, so that the first attempt judged against it
// does not wait for the index (tens of milliseconds for 100,000 sessions).
// The daemon calls it when the inventory changes.
func (j *Judge) Prepare(snap *collectors.Snapshot) { j.indexFor(snap) }

func (j *Judge) indexFor(snap *collectors.Snapshot) *sessionIndex {
	if x := j.index.Load(); x != nil && x.snap == snap {
		return x
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if x := j.index.Load(); x != nil && x.snap == snap {
		return x
	}
	x := newSessionIndex(snap, j.rules)
	j.index.Store(x)
	return x
}

// PSNName returns the configured name of a PSN address, or "".
func (j *Judge) PSNName(a netip.Addr) string { return j.names[a.Unmap()] }

// Verdict is the judge's decision about one attempt and what it rests on.
// Its pointers point into the snapshot judged against.
type Verdict struct {
	// Kind is the finding the attempt shows; empty when it is healthy.
	Kind Kind
	// Session is the endpoint's session; nil when none was found.
	Session *collectors.Session
	// MatchedBy says which key found the session: the MAC when the frame
	// carried the endpoint's own MAC, else its address.
	MatchedBy   collectors.MatchKey
	Posture     collectors.Posture
	PostureRule string
	// DACL is the session's dACL for the attempt's address family; empty
	// when it names none.
	DACL string
	// ACL is the access list that decided the SYN's path: the dACL, or the
	// URL-redirect ACL when it captures the SYN (Redirect); nil when the
	// session names no ACL for the family or one the switch did not list.
	ACL      *collectors.ACL
	Redirect bool
	// Result is ACL's verdict for the SYN, with its deciding entry.
	Result acl.Result
	// Path is what the session's ACLs do with the SYN: Permitted (also
	// when the session has no ACL for the family), Denied (the dACL denies
	// it or the redirect ACL captures it), or Unknown (an entry syncwatch
	// cannot evaluate, or a named ACL the switch did not list: Missing).
	Path    acl.Verdict
	Missing string
	// PSNName is the PSN's configured name; empty when not configured.
	PSNName string

	endpoint endpointID
}

// endpointID identifies an endpoint across attempts without allocating:
// its session's MAC address (with macSet), else its IP address.
type endpointID struct {
	mac uint64
	ip  netip.Addr
}

// macSet marks an endpointID that holds a MAC address.
const macSet = 1 << 63

func (e endpointID) String() string {
	if e.mac&macSet != 0 {
		return macString(e.mac &^ macSet)
	}
	return e.ip.String()
}

// PSNDownEvidence reports whether the verdict counts towards psn-down: an
// unknown or pending endpoint whose ACLs permit the SYN failed to reach the
// PSN, so only the PSN or the path beyond the switch can explain it.
func (v *Verdict) PSNDownEvidence() bool {
	return v.Kind == KindSyncPathBlocked && v.Path == acl.Permitted
}

// Judge decides one attempt against snap, per the verdict table:
//
//   - compliant or noncompliant, the path permits the SYN (or cannot be
//     evaluated): accepted is compliant-reached, refused not-blocked;
//   - compliant or noncompliant, the path denies it: accepted or refused
//     is a race;
//   - unknown or pending: refused is psn-not-listening, prohibited or
//     unanswered sync-path-blocked;
//   - unclassified posture: unclassified; no session: unmanaged.
//
// Everything else is healthy (Kind empty).
func (j *Judge) Judge(a *capture.Attempt, snap *collectors.Snapshot) Verdict {
	v := Verdict{PSNName: j.names[a.PSN.Unmap()]}
	x := j.indexFor(snap)
	in, by := x.lookup(a)
	if in == nil {
		v.Kind = KindUnmanaged
		v.endpoint = endpointID{ip: a.Client.Unmap()}
		return v
	}
	v.Session, v.MatchedBy = in.s, by
	if in.hasMAC {
		v.endpoint = endpointID{mac: in.mac | macSet}
	} else {
		v.endpoint = endpointID{ip: a.Client.Unmap()}
	}
	v.Posture, v.PostureRule = in.posture, in.rule
	fam := acl.FamilyOf(a.PSN)
	v.DACL = in.daclName[fam]
	if in.posture == collectors.PostureUnclassified {
		v.Kind = KindUnclassified
		return v
	}
	v.path(in, a, fam)
	reached := a.Outcome == capture.Accepted || a.Outcome == capture.Refused
	switch {
	case in.posture.MustBlock() && reached && v.Path == acl.Denied:
		v.Kind = KindRace
	case in.posture.MustBlock() && a.Outcome == capture.Accepted:
		v.Kind = KindCompliantReached
	case in.posture.MustBlock() && a.Outcome == capture.Refused:
		v.Kind = KindNotBlocked
	case in.posture.MustReach() && a.Outcome == capture.Refused:
		v.Kind = KindPSNNotListening
	case in.posture.MustReach() && (a.Outcome == capture.Prohibited || a.Outcome == capture.Unanswered):
		v.Kind = KindSyncPathBlocked
	}
	return v
}

// path evaluates the session's ACLs for the attempt's SYN: the dACL first
// (a session without one in the family is not filtered by its policy),
// then the URL-redirect ACL, whose permit sends the SYN to the switch
// instead of the PSN.
func (v *Verdict) path(in *sessionInfo, a *capture.Attempt, fam acl.Family) {
	p := acl.Packet{Src: a.Client.Unmap(), Dst: a.PSN.Unmap(), Proto: 6, SrcPort: a.ClientPort, DstPort: a.Port, Flags: acl.SYN}
	v.Path = acl.Permitted
	switch {
	case in.daclMissing[fam]:
		v.Path, v.Missing = acl.Unknown, in.daclName[fam]
		return
	case in.dacl[fam] != nil:
		v.ACL = in.dacl[fam]
		v.Result = v.ACL.Compiled.Evaluate(p)
		v.Path = v.Result.Verdict
		if v.Path != acl.Permitted {
			return
		}
	}
	switch r := in.redirect[fam]; {
	case in.redirectMissing[fam]:
		v.Path, v.Missing, v.ACL, v.Result = acl.Unknown, in.redirectName[fam], nil, acl.Result{}
	case r != nil:
		res := r.Compiled.Evaluate(p)
		switch res.Verdict {
		case acl.Permitted:
			v.Path, v.ACL, v.Redirect, v.Result = acl.Denied, r, true, res
		case acl.Unknown:
			v.Path, v.ACL, v.Redirect, v.Result = acl.Unknown, r, true, res
		}
	}
}

// lookup finds the attempt's session: by the frame's client MAC when a
// session has it (a SPAN at the access layer carries the endpoint's own
// MAC), else by the client address.
func (x *sessionIndex) lookup(a *capture.Attempt) (*sessionInfo, collectors.MatchKey) {
	client := a.Client.Unmap()
	if a.HasClientMAC {
		if refs := rangeOf(x.byMAC, macBytes(a.ClientMAC)); len(refs) > 0 {
			return x.best(refs, nil, client, 0), collectors.MatchMAC
		}
	}
	mac := uint64(0)
	if a.HasClientMAC {
		mac = macBytes(a.ClientMAC) | macSet
	}
	if client.Is4() {
		if refs := rangeOf(x.byV4, uint64(v4Key(client))); len(refs) > 0 {
			return x.best(refs, nil, netip.Addr{}, mac), collectors.MatchIPv4
		}
		return nil, collectors.MatchNone
	}
	hi, lo := v6Key(client)
	if refs := rangeOf6(x.byV6, hi, lo); len(refs) > 0 {
		return x.best(nil, refs, netip.Addr{}, mac), collectors.MatchIPv6
	}
	return nil, collectors.MatchNone
}

// best picks among the sessions a key found (an endpoint that moved can
// show on two switches until the old session ages out): the one that also
// has the client's address (or the frame's MAC), then an authorized one,
// then the one changed or seen last, then the first by switch name.
func (x *sessionIndex) best(refs []keyRef, refs6 []v6Ref, client netip.Addr, mac uint64) *sessionInfo {
	var out *sessionInfo
	score := func(in *sessionInfo) (int, int64) {
		s := 0
		if client.IsValid() && hasAddr(in.s, client) {
			s += 2
		}
		if mac != 0 && in.hasMAC && in.mac == mac&^macSet {
			s += 2
		}
		if in.authorized {
			s++
		}
		return s, in.sortTime
	}
	bestScore, bestTime := -1, int64(0)
	consider := func(i int32) {
		in := &x.info[i]
		s, t := score(in)
		if s > bestScore || s == bestScore && t > bestTime {
			out, bestScore, bestTime = in, s, t
		}
	}
	for _, r := range refs {
		consider(r.i)
	}
	for _, r := range refs6 {
		consider(r.i)
	}
	return out
}

func hasAddr(s *collectors.Session, ip netip.Addr) bool {
	if s.IPv4 == ip {
		return true
	}
	for _, a := range s.IPv6 {
		if a == ip {
			return true
		}
	}
	return false
}

// Finding fills the finding schema for a verdict about attempt a: the
// endpoint, its session, posture and rule, the dACL and deciding entry,
// the PSN, the attempt, and a summary and an action an on-call engineer
// can follow. FirstSeen and LastSeen are the attempt's time and Count 1;
// the lifecycle keeps them afterwards. A healthy verdict has no finding
// (Kind empty).
func (v *Verdict) Finding(a *capture.Attempt) Finding {
	at := attemptTime(a)
	att := *a
	f := Finding{
		Kind: v.Kind, Severity: v.Kind.Severity(),
		EndpointIP: a.Client.Unmap(),
		PSN:        a.PSN.Unmap(), PSNName: v.PSNName, Port: a.Port,
		Attempt: &att, MatchedBy: v.MatchedBy,
		Posture: v.Posture, PostureRule: v.PostureRule, DACL: v.DACL,
		FirstSeen: at, LastSeen: at, Count: 1,
	}
	if s := v.Session; s != nil {
		f.EndpointMAC, f.Switch, f.Interface, f.SessionID = s.MAC, s.Switch, s.Interface, s.SessionID
		f.AuthzChangedAt = s.AuthzChangedAt
	}
	if v.ACL != nil {
		f.ACL = v.ACL.Name
		f.ACLLine, f.ACLLineSeq = line(v.ACL, v.Result)
	} else if v.Missing != "" {
		f.ACL = v.Missing
	}
	f.Key = KeyOf(string(v.Kind), v.endpoint.String(), f.PSN.String(), strconv.Itoa(int(a.Port)))
	f.Summary, f.Action = describeVerdict(v, &f)
	return f
}

// attemptTime is when an attempt's outcome was known: its answer, else its
// first packet.
func attemptTime(a *capture.Attempt) time.Time {
	if !a.AnsweredAt.IsZero() {
		return a.AnsweredAt
	}
	return a.FirstSeen
}
