package alerts

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// Following endpoints: the agent probes every StateSyncProbeInterval
// seconds (1 to 300), each PSN of its list in turn. After ISE answered
// Compliant to a probe (a compliant-reached, or a race), the agent stops
// state sync until its Secure Client restarts; an endpoint that then stays
// silent for three of its intervals (and at least a floor) is
// state-sync-disabled, until its probes resume.
const (
	// DefaultProbeInterval is the interval assumed for an endpoint whose
	// interval was not learned: the longest the agent allows, so that a
	// silence is never called before it can mean something.
	DefaultProbeInterval = 300 * time.Second
	// minProbeGap is the shortest gap taken as a probe interval; closer
	// attempts to one PSN are retries, not rounds.
	minProbeGap = 500 * time.Millisecond
	// roundGap separates probe rounds: attempts of one endpoint closer than
	// this (to its several PSNs) belong to one round.
	roundGap = 5 * time.Second
	// followGaps is how many recent gaps per endpoint the median is taken
	// over.
	followGaps = 8
	// followPSNs is how many PSNs per endpoint gaps are measured to.
	followPSNs = 3
)

// follower learns each endpoint's probe interval from the gaps between
// its attempts to the same PSN (median of recent gaps, so that a missed
// probe or a retry does not skew it) and watches endpoints after they
// reached a PSN. Memory is bounded: at most max endpoints are followed, the
// least recently seen evicted first (counted), in an arena with no
// allocation per attempt once it is full.
type follower struct {
	max       int
	slots     []followSlot
	index     map[endpointID]int32
	head      int32 // most recently seen; -1 when empty
	tail      int32 // least recently seen
	evictions uint64

	watches      map[endpointID]*watch
	maxWatches   int
	watchEvicted uint64
}

type followSlot struct {
	id         endpointID
	psn        [followPSNs]uint64 // PSN address hash and port; 0 free
	last       [followPSNs]int64  // last attempt to that PSN, ns
	gaps       [followGaps]int64
	ngaps, pos uint8
	prev, next int32
}

// watch follows an endpoint after it reached a PSN, until it is found
// silent (state-sync-disabled fired) and then probing again.
type watch struct {
	key       string // the state-sync-disabled finding's key
	cause     Finding
	since     time.Time // when it reached the PSN
	lastProbe time.Time
	interval  time.Duration
	learned   int // gaps the interval was learned from; 0 assumed
	fired     bool
}

func newFollower(max, maxWatches int) *follower {
	return &follower{max: max, index: make(map[endpointID]int32, min(max, 1<<16)), head: -1, tail: -1,
		watches: map[endpointID]*watch{}, maxWatches: maxWatches}
}

// psnSlotKey packs a PSN address and port into a non-zero word.
func psnSlotKey(a netip.Addr, port uint16) uint64 {
	hi, lo := v6Key(a.Unmap())
	h := hi*0x9e3779b97f4a7c15 ^ lo
	return (h<<16 | uint64(port)) | 1
}

// observe records an attempt of endpoint id to a PSN at t (ns).
func (fw *follower) observe(id endpointID, psn netip.Addr, port uint16, t int64) {
	i, ok := fw.index[id]
	if !ok {
		i = fw.alloc(id)
	} else {
		fw.touch(i)
	}
	s := &fw.slots[i]
	k := psnSlotKey(psn, port)
	j := -1
	for n := range s.psn {
		if s.psn[n] == k {
			j = n
			break
		}
	}
	if j < 0 {
		// A new PSN replaces the one probed longest ago.
		j = 0
		for n := range s.psn {
			if s.psn[n] == 0 {
				j = n
				break
			}
			if s.last[n] < s.last[j] {
				j = n
			}
		}
		s.psn[j], s.last[j] = k, t
		return
	}
	gap := t - s.last[j]
	if gap < int64(minProbeGap) {
		return
	}
	s.last[j] = t
	s.gaps[s.pos] = gap
	s.pos = (s.pos + 1) % followGaps
	if s.ngaps < followGaps {
		s.ngaps++
	}
}

// interval returns an endpoint's learned probe interval and how many gaps
// it rests on; 0 gaps: not learned (fewer than two).
func (fw *follower) interval(id endpointID) (time.Duration, int) {
	i, ok := fw.index[id]
	if !ok {
		return 0, 0
	}
	s := &fw.slots[i]
	n := int(s.ngaps)
	if n < 2 {
		return 0, 0
	}
	var g [followGaps]int64
	copy(g[:], s.gaps[:n])
	for a := 1; a < n; a++ {
		for b := a; b > 0 && g[b] < g[b-1]; b-- {
			g[b], g[b-1] = g[b-1], g[b]
		}
	}
	m := g[n/2]
	if n%2 == 0 {
		m = (g[n/2-1] + g[n/2]) / 2
	}
	return time.Duration(m), n
}

// alloc takes a slot for id: a new one below the cap, else the least
// recently seen endpoint's.
func (fw *follower) alloc(id endpointID) int32 {
	var i int32
	if len(fw.slots) < fw.max {
		fw.slots = append(fw.slots, followSlot{})
		i = int32(len(fw.slots) - 1)
	} else {
		i = fw.tail
		fw.unlink(i)
		delete(fw.index, fw.slots[i].id)
		fw.evictions++
	}
	fw.slots[i] = followSlot{id: id, prev: -1, next: -1}
	fw.index[id] = i
	fw.pushFront(i)
	return i
}

func (fw *follower) touch(i int32) {
	if fw.head == i {
		return
	}
	fw.unlink(i)
	fw.pushFront(i)
}

func (fw *follower) unlink(i int32) {
	s := &fw.slots[i]
	if s.prev >= 0 {
		fw.slots[s.prev].next = s.next
	} else {
		fw.head = s.next
	}
	if s.next >= 0 {
		fw.slots[s.next].prev = s.prev
	} else {
		fw.tail = s.prev
	}
	s.prev, s.next = -1, -1
}

func (fw *follower) pushFront(i int32) {
	s := &fw.slots[i]
	s.prev, s.next = -1, fw.head
	if fw.head >= 0 {
		fw.slots[fw.head].prev = i
	}
	fw.head = i
	if fw.tail < 0 {
		fw.tail = i
	}
}

// watchAfter starts watching an endpoint that reached a PSN (cause is the
// compliant-reached or race finding). A watch already running keeps its
// start.
func (fw *follower) watchAfter(id endpointID, cause *Finding, at time.Time) {
	if w := fw.watches[id]; w != nil {
		return
	}
	if len(fw.watches) >= fw.maxWatches {
		// The watch that started first goes: it had the longest to fire.
		var oldest endpointID
		var first time.Time
		for k, w := range fw.watches {
			if first.IsZero() || w.since.Before(first) {
				oldest, first = k, w.since
			}
		}
		delete(fw.watches, oldest)
		fw.watchEvicted++
	}
	iv, n := fw.interval(id)
	if n == 0 {
		iv = DefaultProbeInterval
	}
	c := *cause
	c.Sessions, c.Confirm = nil, nil
	fw.watches[id] = &watch{
		key:   KeyOf(string(KindStateSyncDisabled), id.String(), cause.PSN.String(), strconv.Itoa(int(cause.Port))),
		cause: c, since: at, lastProbe: at, interval: iv, learned: n,
	}
}

// threshold is how long a watched endpoint must stay silent.
func (w *watch) threshold(floor time.Duration) time.Duration {
	return max(3*w.interval, floor)
}

// stateSyncDisabled is the finding of a watched endpoint found silent at
// now.
func (w *watch) stateSyncDisabled(now time.Time, floor time.Duration) Finding {
	c := &w.cause
	f := Finding{
		Kind: KindStateSyncDisabled, Severity: KindStateSyncDisabled.Severity(), Key: w.key,
		EndpointIP: c.EndpointIP, EndpointMAC: c.EndpointMAC, Switch: c.Switch, Interface: c.Interface, SessionID: c.SessionID,
		Posture: c.Posture, PostureRule: c.PostureRule, DACL: c.DACL, ACL: c.ACL, ACLLine: c.ACLLine, ACLLineSeq: c.ACLLineSeq,
		PSN: c.PSN, PSNName: c.PSNName, Port: c.Port, Attempt: c.Attempt, MatchedBy: c.MatchedBy, AuthzChangedAt: c.AuthzChangedAt,
		Sensor: c.Sensor, Evidence: c.Evidence, FirstSeen: now, LastSeen: now, Count: 1,
	}
	how := fmt.Sprintf("its probe interval, learned from %d gaps, is %s", w.learned, fmtAge(w.interval))
	if w.learned == 0 {
		how = fmt.Sprintf("its probe interval was not learned, so the longest the agent allows (%s) is assumed", fmtAge(w.interval))
	}
	f.Summary = fmt.Sprintf("%s has sent no state-sync probe for %s since it reached %s on TCP %d at %s (%s; the threshold is 3 intervals, at least %s): its agent has most likely stopped state sync after ISE answered it (Posture Configuration Detection)",
		endpointTitle(&f), fmtAge(now.Sub(w.lastProbe)), psnTitle(&f), f.Port, w.since.UTC().Format(summaryTime), how, fmtAge(floor))
	f.Action = fmt.Sprintf("restart Secure Client on the endpoint (or reboot it) so that state sync resumes; fix the cause first (finding %s), or it will reach the port and stop again", c.Key)
	return f
}

// summaryTime is how times read in summaries.
const summaryTime = "2006-01-02 15:04:05 UTC"
