package live

import (
	"context"
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/ios"
	"github.com/syncwatch/syncwatch/collectors/snmp"
	"github.com/syncwatch/syncwatch/collectors/ssh"
)

// switchPoller polls one switch; one poll at a time (mu).
type switchPoller struct {
	c  *Collector
	sw Switch

	mu       sync.Mutex
	client   *ssh.Client
	snmpc    *snmp.Client
	snmpPrev []snmp.SessionKey  // the last session table whose changes SSH read
	snmpOK   bool               // an SNMP poll succeeded since the start
	sessions map[string]*cached // by session ID, else MAC|interface
	acls     []ios.ACL
	aclNames map[string]bool
	aclsRead bool
	bindings ios.Result // the address table last read
	bindRead bool
	version  ios.Version
	lastFull time.Time
	synced   bool // an SSH poll succeeded since the start

	refreshMu  sync.Mutex
	refreshing *refreshCall

	hmu        sync.Mutex // guards h and transcript
	h          SwitchHealth
	transcript string
}

// cached is what tells a change of one session; the session itself lives
// in the inventory's state (fresh holds it from its read to the next
// publish), so that a session costs the inventory's memory and this.
type cached struct {
	id, mac   string
	fresh     *ios.Session // read since the last publish, else nil
	summary   uint64       // the summary row's fingerprint when it was read
	authz     uint64       // dACLs, redirect, filter: a change is an authorization change
	changedAt time.Time    // zero: unknown (seen at the first poll)
	noAddr    bool         // the details showed no address
}

// snmpPlan is what an SNMP poll says SSH has to read.
type snmpPlan struct {
	fetch   []string // MACs whose sessions are new or changed
	removed []string // cache keys of sessions gone
	cur     []snmp.SessionKey
}

func (p *switchPoller) loop(ctx context.Context) {
	timer := time.NewTimer(firstDelay(p.sw.PollInterval))
	defer timer.Stop()
	attempt := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		select {
		case p.c.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		err := p.poll(ctx, p.fullDue())
		<-p.c.sem
		next := jittered(p.sw.PollInterval)
		if err != nil && retryable(err) && attempt < p.c.cfg.Retries {
			attempt++
			next = p.backoff(attempt)
		} else {
			attempt = 0
		}
		timer.Reset(next)
	}
}

// firstDelay is the wait before a switch's first poll: up to a tenth of
// its interval (Jitter), at most MaxFirstSpread, so that the switches'
// polls are not in step and the inventory is read soon after the start
// even with long intervals.
func firstDelay(interval time.Duration) time.Duration {
	spread := min(time.Duration(Jitter*float64(interval)), MaxFirstSpread)
	return time.Duration(rand.Float64() * float64(spread))
}

// backoff returns the wait before retry n (1, 2, ...): RetryBackoff
// doubling, at most the poll interval.
func (p *switchPoller) backoff(n int) time.Duration {
	d := p.c.cfg.RetryBackoff << (n - 1)
	if d > p.sw.PollInterval || d <= 0 {
		d = p.sw.PollInterval
	}
	return d
}

// pollWithRetries polls, retrying a retryable failure after a backoff.
func (p *switchPoller) pollWithRetries(ctx context.Context, full bool) error {
	for attempt := 0; ; attempt++ {
		err := p.poll(ctx, full)
		if err == nil || !retryable(err) || attempt >= p.c.cfg.Retries {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(p.backoff(attempt + 1)):
		}
	}
}

// retryable reports whether trying again soon may help.
func retryable(err error) bool {
	switch ssh.ReasonOf(err) {
	case ssh.ReasonAuth, ssh.ReasonHostKeyChanged, ssh.ReasonHostKeyUnknown, ssh.ReasonConfig,
		ssh.ReasonAlgorithms, ssh.ReasonEnable, ssh.ReasonRefused, ssh.ReasonCanceled:
		return false
	}
	return true
}

func (p *switchPoller) fullDue() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.synced || p.c.now().Sub(p.lastFull) >= p.c.cfg.FullSweepInterval
}

// refresh reads the switch fully now.
func (p *switchPoller) refresh(ctx context.Context) (*collectors.Snapshot, error) {
	if err := p.poll(ctx, true); err != nil {
		return nil, err
	}
	return p.c.inv.Snapshot(), nil
}

// errClosed is a poll after Close.
var errClosed = errors.New("live: collector closed")

// poll reads the switch once: SNMP first when configured (and this is
// not a full sweep), then SSH for what SNMP says changed, or the summary
// and the details of new or changed sessions; then the inventory.
func (p *switchPoller) poll(ctx context.Context, full bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.c.closeMu.Lock()
	closed := p.c.closed
	p.c.closeMu.Unlock()
	if closed {
		return errClosed
	}
	var plan *snmpPlan
	if p.sw.SNMP != nil && !full && p.synced {
		plan = p.snmpPoll(ctx)
	}
	if plan != nil && len(plan.fetch) == 0 && len(plan.removed) == 0 {
		// Nothing changed: no SSH at all, the sessions were seen now.
		p.publish(p.c.now(), false)
		return nil
	}
	start := p.c.now()
	changed, err := p.sshPoll(ctx, full, plan)
	p.finish(sourceSSH, start, err)
	if err != nil {
		return err
	}
	if plan != nil {
		p.snmpCommit(plan)
	}
	p.synced = true
	if full {
		p.lastFull = start
	}
	p.publish(p.c.now(), changed)
	return nil
}

// snmpPoll walks the session table and returns the plan, or nil when the
// poll failed (SSH then reads the summary).
func (p *switchPoller) snmpPoll(ctx context.Context) *snmpPlan {
	start := p.c.now()
	if p.snmpc == nil {
		cfg, err := p.sw.SNMP()
		if err == nil {
			cfg.Name = p.sw.Name
			p.snmpc, err = snmp.New(cfg)
		}
		if err != nil {
			p.finishSNMP(start, err, "config")
			return nil
		}
	}
	res, err := p.snmpc.Sessions(ctx)
	if r := snmp.ReasonOf(err); err != nil && p.snmpOK && r != snmp.ReasonTimeout && r != snmp.ReasonCanceled {
		// An agent that answered before and now fails authentication
		// has usually restarted (a switch reload: new engine boots and
		// time); a new client discovers it again.
		p.snmpc.Close()
		p.snmpc = nil
		cfg, cerr := p.sw.SNMP()
		if cerr == nil {
			cfg.Name = p.sw.Name
			p.snmpc, cerr = snmp.New(cfg)
		}
		if cerr == nil {
			res, err = p.snmpc.Sessions(ctx)
		}
	}
	if err != nil {
		p.finishSNMP(start, err, string(snmp.ReasonOf(err)))
		return nil
	}
	p.snmpOK = true
	p.finishSNMP(start, nil, "")
	plan := &snmpPlan{cur: res.Sessions}
	macs := map[string]bool{}
	add := func(mac string) {
		if mac != "" && !macs[mac] {
			macs[mac] = true
			plan.fetch = append(plan.fetch, mac)
		}
	}
	ids := map[string]bool{}
	for _, k := range res.Sessions {
		ids[k.SessionID] = true
		c := p.sessions[k.SessionID]
		if c == nil || c.mac != k.MAC {
			add(k.MAC)
		}
	}
	// Changes of sessions the cache holds (status, methods, address):
	// against the last table SSH followed, when there is one (the first
	// table is compared with the cache only).
	if p.snmpPrev != nil {
		for _, ch := range snmp.Changes(p.snmpPrev, res.Sessions) {
			if ch.Kind != snmp.Removed {
				add(ch.Session.MAC)
			}
		}
	}
	for key, c := range p.sessions {
		if !ids[c.id] {
			plan.removed = append(plan.removed, key)
		}
	}
	sort.Strings(plan.removed)
	return plan
}

func (p *switchPoller) snmpCommit(plan *snmpPlan) { p.snmpPrev = plan.cur }

// sshPoll reads over SSH; it reports whether a session or ACL changed.
func (p *switchPoller) sshPoll(ctx context.Context, full bool, plan *snmpPlan) (bool, error) {
	reused, err := p.connect(ctx)
	if err != nil {
		return false, err
	}
	if p.c.cfg.Transcripts {
		p.client.StartTranscript()
		defer func() {
			if p.client != nil {
				p.setTranscript(p.client.Transcript())
			}
		}()
	}
	now := p.c.now()
	changed := false
	var fetch []string
	summaries := map[string]uint64{} // session ID -> summary fingerprint
	if plan != nil {
		fetch = plan.fetch
		for _, k := range plan.removed {
			delete(p.sessions, k)
			changed = true
		}
	} else {
		var out ssh.Output
		err := p.first(ctx, reused, func(c *ssh.Client) error {
			var err error
			out, err = c.Summary(ctx)
			return err
		})
		if err != nil {
			return false, err
		}
		present := map[string]bool{}
		macs := map[string]bool{}
		for _, e := range out.Result.Summary {
			k := key(e.SessionID, e.MAC, e.Interface)
			present[k] = true
			fp := summaryPrint(&e)
			summaries[e.SessionID] = fp
			if c := p.sessions[k]; (full || c == nil || c.summary != fp) && e.MAC != "" && !macs[e.MAC] {
				macs[e.MAC] = true
				fetch = append(fetch, e.MAC)
			}
		}
		for k := range p.sessions {
			if !present[k] {
				delete(p.sessions, k)
				changed = true
			}
		}
		reused = false
	}
	needACLs := full || !p.aclsRead
	noAddr := false
	for i, mac := range fetch {
		var out ssh.Output
		err := p.first(ctx, reused && i == 0, func(c *ssh.Client) error {
			var err error
			out, err = c.Details(ctx, mac)
			return err
		})
		if err != nil {
			return false, err
		}
		// Sessions of the MAC that the details no longer show are gone.
		shown := map[string]bool{}
		for j := range out.Result.Sessions {
			s := &out.Result.Sessions[j]
			k := key(s.SessionID, s.MAC, ios.ExpandInterface(s.Interface))
			shown[k] = true
			if p.store(k, s, summaries[s.SessionID], now) {
				changed = true
			}
			for _, n := range aclNames(s) {
				if !p.aclNames[n] {
					needACLs = true
				}
			}
			if !s.IPv4.IsValid() && len(s.IPv6) == 0 {
				noAddr = true
			}
		}
		for k, c := range p.sessions {
			if c.mac == mac && !shown[k] {
				delete(p.sessions, k)
				changed = true
			}
		}
	}
	if needACLs {
		outs, err := p.client.ACLs(ctx)
		if err != nil {
			return false, err
		}
		var acls []ios.ACL
		names := map[string]bool{}
		for _, o := range outs {
			for _, a := range o.Result.ACLs {
				acls = append(acls, a)
				names[a.Name] = true
			}
		}
		if !sameACLs(p.acls, acls) {
			changed = true
		}
		p.acls, p.aclNames, p.aclsRead = acls, names, true
	}
	if p.anyWithoutAddress() && (full || noAddr || !p.bindRead) {
		out, err := p.client.Bindings(ctx)
		if err != nil {
			return false, err
		}
		p.bindings, p.bindRead = out.Result, true
	}
	p.version = p.client.Version()
	return changed, nil
}

// first runs the first command of a poll; on a reused connection that the
// switch dropped meanwhile (idle timeout, reload) it reconnects once and
// runs it again.
func (p *switchPoller) first(ctx context.Context, reused bool, f func(*ssh.Client) error) error {
	err := f(p.client)
	if err == nil || !reused || ssh.ReasonOf(err) != ssh.ReasonDisconnected {
		return err
	}
	p.disconnect()
	if _, err := p.connect(ctx); err != nil {
		return err
	}
	if p.c.cfg.Transcripts {
		p.client.StartTranscript()
	}
	return f(p.client)
}

// connect returns with an open client; it reports whether the client was
// already open (reused).
func (p *switchPoller) connect(ctx context.Context) (bool, error) {
	if p.client != nil && p.client.Usable() {
		return true, nil
	}
	p.disconnect()
	cfg, err := p.sw.SSH()
	if err != nil {
		return false, &ssh.Error{Switch: p.sw.Name, Reason: ssh.ReasonConfig, Op: "ssh settings", Err: err}
	}
	cfg.Name = p.sw.Name
	c, err := ssh.Dial(ctx, cfg)
	if err != nil {
		return false, err
	}
	p.client = c
	p.setConnected(true)
	return false, nil
}

// disconnect closes the SSH client and SNMP socket, if any.
func (p *switchPoller) disconnect() {
	if p.client != nil {
		p.client.Close()
		p.client = nil
	}
	if p.snmpc != nil {
		p.snmpc.Close()
		p.snmpc = nil
	}
	p.setConnected(false)
}

// store caches a session read now; it reports whether it is new or its
// authorization changed.
func (p *switchPoller) store(k string, s *ios.Session, summary uint64, now time.Time) bool {
	az := authzPrint(s)
	old := p.sessions[k]
	if old == nil {
		k = strings.Clone(k) // detached from the output text
	}
	c := &cached{id: strings.Clone(s.SessionID), mac: strings.Clone(s.MAC), fresh: s, summary: summary, authz: az,
		noAddr: !s.IPv4.IsValid() && len(s.IPv6) == 0}
	switch {
	case old == nil && p.synced:
		c.changedAt = now // new since the last poll
	case old == nil:
		// Seen at the first poll: when it was authorized is unknown.
	case old.authz != az:
		c.changedAt = now
	default:
		c.changedAt = old.changedAt
	}
	if summary == 0 && old != nil {
		c.summary = old.summary
	}
	p.sessions[k] = c
	return old == nil || old.authz != az
}

// publish rebuilds the switch's state from the cache into the inventory,
// every session seen at now; it calls OnUpdate when something changed.
func (p *switchPoller) publish(now time.Time, changed bool) {
	keys := make([]string, 0, len(p.sessions))
	for k := range p.sessions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := collectors.SwitchOutput{Switch: p.sw.Name, File: "ssh://" + p.sw.Name, Version: p.version, ACLs: p.acls}
	out.Sessions = make([]ios.Session, 0, len(keys))
	var prev map[string]*collectors.Session
	if old := p.c.inv.Snapshot().Switch(p.sw.Name); old != nil {
		prev = make(map[string]*collectors.Session, len(old.Sessions))
		for i := range old.Sessions {
			s := &old.Sessions[i]
			prev[key(s.SessionID, s.MAC, s.Interface)] = s
		}
	}
	for _, k := range keys {
		c := p.sessions[k]
		switch {
		case c.fresh != nil:
			out.Sessions = append(out.Sessions, *c.fresh)
			c.fresh = nil
		case prev[k] != nil:
			out.Sessions = append(out.Sessions, toIOS(prev[k]))
		default:
			delete(p.sessions, k) // cannot happen: every session was read once
		}
	}
	if p.bindings.Kind == ios.KindARP {
		out.ARP = p.bindings.Addresses
	} else {
		out.DeviceTracking = p.bindings.Addresses
	}
	st, ws := collectors.NewSwitchState(p.sw.Name, []collectors.SwitchOutput{out}, p.c.inv.Snapshot())
	for i := range st.Sessions {
		s := &st.Sessions[i]
		s.LastSeen = now
		if c := p.sessions[key(s.SessionID, s.MAC, s.Interface)]; c != nil {
			s.AuthzChangedAt = c.changedAt
		}
	}
	for _, w := range ws {
		p.c.log.Debug("switch output", "switch", p.sw.Name, "warning", w.String())
	}
	p.c.inv.SetSwitch(st)
	p.c.m.sessions.WithLabelValues(p.sw.Name).Set(float64(len(st.Sessions)))
	p.hmu.Lock()
	p.h.Sessions = len(st.Sessions)
	p.hmu.Unlock()
	if changed {
		p.c.updated(p.c.inv.Snapshot())
	}
}

func (p *switchPoller) anyWithoutAddress() bool {
	for _, c := range p.sessions {
		if c.noAddr {
			return true
		}
	}
	return false
}

// finish records an SSH poll's metrics, health and log.
func (p *switchPoller) finish(source string, start time.Time, err error) {
	end := p.c.now()
	m := p.c.m
	name := p.sw.Name
	m.duration.WithLabelValues(name, source).Set(end.Sub(start).Seconds())
	p.hmu.Lock()
	defer p.hmu.Unlock()
	p.h.LastPoll = end
	if err == nil {
		m.polls.WithLabelValues(name, source, "ok").Inc()
		m.lastSuccess.WithLabelValues(name, source).Set(float64(end.UnixNano()) / 1e9)
		m.up.WithLabelValues(name, source).Set(1)
		p.h.Up, p.h.LastSuccess, p.h.Reason, p.h.Error, p.h.Failures = true, end, "", "", 0
		return
	}
	reason := string(ssh.ReasonOf(err))
	m.polls.WithLabelValues(name, source, "error").Inc()
	m.errors.WithLabelValues(name, source, reason).Inc()
	m.up.WithLabelValues(name, source).Set(0)
	if reason == string(ssh.ReasonHostKeyChanged) {
		m.hostKeyMisms.WithLabelValues(name).Inc()
	}
	p.h.Up, p.h.Reason, p.h.Error = false, reason, err.Error()
	p.h.Failures++
	p.c.log.Warn("poll failed", "switch", name, "source", source, "reason", reason, "error", err.Error())
}

// finishSNMP records an SNMP poll's metrics and log.
func (p *switchPoller) finishSNMP(start time.Time, err error, reason string) {
	end := p.c.now()
	m := p.c.m
	name := p.sw.Name
	m.duration.WithLabelValues(name, sourceSNMP).Set(end.Sub(start).Seconds())
	if err == nil {
		m.polls.WithLabelValues(name, sourceSNMP, "ok").Inc()
		m.lastSuccess.WithLabelValues(name, sourceSNMP).Set(float64(end.UnixNano()) / 1e9)
		m.up.WithLabelValues(name, sourceSNMP).Set(1)
		return
	}
	m.polls.WithLabelValues(name, sourceSNMP, "error").Inc()
	m.errors.WithLabelValues(name, sourceSNMP, reason).Inc()
	m.up.WithLabelValues(name, sourceSNMP).Set(0)
	p.c.log.Warn("poll failed", "switch", name, "source", sourceSNMP, "reason", reason, "error", err.Error())
}

func (p *switchPoller) health() SwitchHealth {
	p.hmu.Lock()
	defer p.hmu.Unlock()
	h := p.h
	h.Name = p.sw.Name
	return h
}

func (p *switchPoller) setConnected(v bool) {
	p.hmu.Lock()
	p.h.Connected = v
	p.hmu.Unlock()
}

func (p *switchPoller) setTranscript(s string) {
	p.hmu.Lock()
	p.transcript = s
	p.hmu.Unlock()
}

// key identifies a session across polls: its session ID, else MAC and
// interface.
func key(id, mac, iface string) string {
	if id != "" {
		return id
	}
	return mac + "|" + iface
}

// summaryPrint hashes what a summary row shows that changes with the
// session.
func summaryPrint(e *ios.SummaryEntry) uint64 {
	return fingerprint(e.Interface, e.MAC, e.Method, e.Domain, e.Status, e.Flags, e.AuthZ)
}

// fingerprint hashes strings (FNV-1a, a separator between them); never 0.
func fingerprint(ss ...string) uint64 {
	h := fnv.New64a()
	for _, s := range ss {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	v := h.Sum64()
	if v == 0 {
		v = 1
	}
	return v
}

// authzPrint is what decides the session's path: a change of it is an
// authorization change (a new dACL version included).
func authzPrint(s *ios.Session) uint64 {
	return fingerprint(s.DACL, s.DACLv6, s.FilterID, s.URLRedirectACL, s.URLRedirectACLv6, s.URLRedirect,
		s.PreauthACL, s.PreauthACLv6, s.Status)
}

// aclNames are the ACLs a session depends on.
func aclNames(s *ios.Session) []string {
	var out []string
	for _, n := range []string{s.DACL, s.DACLv6, collectors.FilterIDACL(s.FilterID), s.URLRedirectACL, s.URLRedirectACLv6, s.PreauthACL, s.PreauthACLv6} {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// sameACLs reports whether two listings hold the same ACLs and entries
// (match counters aside).
func sameACLs(a, b []ios.ACL) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || len(a[i].Entries) != len(b[i].Entries) {
			return false
		}
		for j := range a[i].Entries {
			if a[i].Entries[j].Text != b[i].Entries[j].Text {
				return false
			}
		}
	}
	return true
}

// toIOS returns a session of the inventory as the switch printed it: the
// addresses the inventory filled in from the address tables are left out
// (the next state fills them in again from the fresh tables).
func toIOS(s *collectors.Session) ios.Session {
	out := ios.Session{
		Interface: s.Interface, MAC: s.MAC, IPv4: s.IPv4, IPv6: s.IPv6, User: s.User, Status: s.Status,
		Authorized: s.Authorized, Domain: s.Domain, HostMode: s.HostMode, SessionID: s.SessionID, Methods: s.Methods,
		DACL: s.DACL, DACLv6: s.DACLv6, FilterID: s.FilterID, URLRedirectACL: s.URLRedirectACL,
		URLRedirectACLv6: s.URLRedirectACLv6, URLRedirect: s.URLRedirect, PreauthACL: s.PreauthACL,
		PreauthACLv6: s.PreauthACLv6, VLAN: s.VLAN, SGT: s.SGT,
	}
	if s.IPv4From != "" {
		out.IPv4 = netip.Addr{}
	}
	if s.IPv6From != "" {
		// Filled in only when the session showed no global address: what
		// it showed were its link-local ones.
		out.IPv6 = nil
		for _, a := range s.IPv6 {
			if a.IsLinkLocalUnicast() {
				out.IPv6 = append(out.IPv6, a)
			}
		}
	}
	return out
}
