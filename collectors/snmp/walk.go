package snmp

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gosnmp/gosnmp"
)

// maxWalkRows bounds one column walk: an access switch holds hundreds of
// sessions, so an agent still answering after this many rows is broken,
// and the poll stops instead of running until the caller's deadline.
const maxWalkRows = 100000

// maxGetOIDs is the OIDs asked for in one Get (gosnmp refuses more than
// its MaxOids, 60).
const maxGetOIDs = 50

// poll runs the requests of one poll into res.
func (c *Client) poll(ctx context.Context, res *Result) error {
	t := newTable(c.device)
	for _, col := range [...]int{colMAC, colAddrType, colAddr, colStatus, colDomain} {
		root := oidSessionEntry + "." + strconv.Itoa(col)
		if err := c.walk(ctx, res, root, columnName(col), t); err != nil {
			return err
		}
	}
	if len(t.rows) == 0 {
		ok, err := c.supported(ctx, res)
		if err != nil {
			return err
		}
		if !ok {
			return &Error{Device: c.device, Target: c.target, Op: "walk cafSessionTable", Reason: ReasonNotSupported,
				Detail: "CISCO-AUTH-FRAMEWORK-MIB not supported: the agent has nothing under " + oidAuthFrameworkObjects[1:] +
					" (the switch does not implement the MIB, or the SNMP view of this community or user excludes it)"}
		}
		res.Sessions, res.Warnings = t.sessions(), t.warnings
		return nil
	}
	if err := c.walk(ctx, res, oidMethodState, "cafSessionMethodState", t); err != nil {
		return err
	}
	if err := c.getIfNames(ctx, res, t); err != nil {
		return err
	}
	if c.cfg.Neighbors {
		if err := c.walk(ctx, res, oidNetToPhysicalPhysAddress, "ipNetToPhysicalPhysAddress", t); err != nil {
			return err
		}
	}
	res.Sessions, res.Warnings = t.sessions(), t.warnings
	return nil
}

// request sends one request, counting it and turning a failure into an
// *Error; a v3 Report the agent sent instead of an answer is read even when
// gosnmp discarded it.
func (c *Client) request(ctx context.Context, res *Result, op string, send func() (*gosnmp.SnmpPacket, error)) (*gosnmp.SnmpPacket, error) {
	if err := ctx.Err(); err != nil {
		return nil, c.classify(ctx, op, err, "")
	}
	c.conn.last = c.conn.last[:0]
	res.Requests++
	pkt, err := send()
	if err != nil {
		return nil, c.classify(ctx, op, err, reportOID(c.conn.last, c.cfg.User))
	}
	if pkt == nil {
		return nil, &Error{Device: c.device, Target: c.target, Op: op, Reason: ReasonAgent, Detail: "no answer and no error from gosnmp"}
	}
	if pkt.PDUType != gosnmp.GetResponse {
		// gosnmp returns a Report without error when its own retry
		// after a time-window or engine-ID report got another one.
		e := &Error{Device: c.device, Target: c.target, Op: op, Reason: ReasonAgent,
			Detail: fmt.Sprintf("the agent answered with a %s PDU, not a Response", pkt.PDUType)}
		if pkt.PDUType == gosnmp.Report && len(pkt.Variables) == 1 {
			oid := normalizeOID(pkt.Variables[0].Name)
			if r, d := reportReason(oid); r != "" {
				e.Reason, e.Detail = r, d
			} else {
				e.Detail += " (" + oid + ")"
			}
		}
		return nil, e
	}
	return pkt, nil
}

// agentError describes a Response whose error-status is not noError.
func (c *Client) agentError(op string, pkt *gosnmp.SnmpPacket) *Error {
	if pkt.Error == gosnmp.AuthorizationError || pkt.Error == gosnmp.NoAccess {
		return &Error{Device: c.device, Target: c.target, Op: op, Reason: ReasonAccessDenied,
			Detail: fmt.Sprintf("the agent refused access (error-status %s): the community or user may not read these objects "+
				"(its SNMP view, or a security level below the user's, such as authNoPriv for a user configured for privacy)", pkt.Error)}
	}
	return &Error{Device: c.device, Target: c.target, Op: op, Reason: ReasonAgent,
		Detail: fmt.Sprintf("the agent answered error-status %s (index %d)", pkt.Error, pkt.ErrorIndex)}
}

// walk reads every instance under root with GetBulk requests into t. It is
// gosnmp's BulkWalk made strict: an error-status or a Report ends the poll
// with an error instead of a silently shorter table, tooBig halves the
// repetitions, and OIDs must increase.
func (c *Client) walk(ctx context.Context, res *Result, root, name string, t *table) error {
	op := "walk " + name
	next := root
	reps := c.cfg.maxRepetitions()
	rows := 0
	for {
		pkt, err := c.request(ctx, res, op, func() (*gosnmp.SnmpPacket, error) {
			return c.snmp.GetBulk([]string{next}, 0, uint32(reps))
		})
		if err != nil {
			return err
		}
		if pkt.Error == gosnmp.TooBig && reps > 1 {
			reps = (reps + 1) / 2
			continue
		}
		if pkt.Error != gosnmp.NoError {
			return c.agentError(op, pkt)
		}
		if len(pkt.Variables) == 0 {
			return &Error{Device: c.device, Target: c.target, Op: op, Reason: ReasonAgent, Detail: "the agent answered a GetBulk with no variable bindings"}
		}
		for _, v := range pkt.Variables {
			v.Name = normalizeOID(v.Name)
			if missing(v) {
				return nil
			}
			if _, ok := under(v.Name, root); !ok {
				return nil
			}
			if compareOID(v.Name, next) <= 0 {
				return &Error{Device: c.device, Target: c.target, Op: op, Reason: ReasonAgent,
					Detail: fmt.Sprintf("the agent returned %s after %s: OIDs must increase", v.Name, next)}
			}
			t.add(v)
			next = v.Name
			rows++
			if rows > maxWalkRows {
				return &Error{Device: c.device, Target: c.target, Op: op, Reason: ReasonAgent,
					Detail: fmt.Sprintf("more than %d rows: the agent keeps answering", maxWalkRows)}
			}
		}
	}
}

// getIfNames reads ifName for the sessions' interfaces with Gets, cheaper
// than walking ifName of every interface and VLAN of the switch.
func (c *Client) getIfNames(ctx context.Context, res *Result, t *table) error {
	idx := t.ifIndexes()
	batch := maxGetOIDs
	for len(idx) > 0 {
		n := min(batch, len(idx))
		oids := make([]string, n)
		for i, x := range idx[:n] {
			oids[i] = oidIfName + "." + strconv.FormatUint(uint64(x), 10)
		}
		pkt, err := c.request(ctx, res, "get ifName", func() (*gosnmp.SnmpPacket, error) {
			return c.snmp.Get(oids)
		})
		if err != nil {
			return err
		}
		if pkt.Error == gosnmp.TooBig && n > 1 {
			batch = (n + 1) / 2
			continue
		}
		if pkt.Error != gosnmp.NoError {
			return c.agentError("get ifName", pkt)
		}
		for _, v := range pkt.Variables {
			t.add(v)
		}
		idx = idx[n:]
	}
	return nil
}

// supported tells an empty cafSessionTable from a missing MIB: a switch
// that implements the MIB has its scalars (cafMacMoveMode, ...) even
// without sessions.
func (c *Client) supported(ctx context.Context, res *Result) (bool, error) {
	op := "check CISCO-AUTH-FRAMEWORK-MIB"
	pkt, err := c.request(ctx, res, op, func() (*gosnmp.SnmpPacket, error) {
		return c.snmp.GetNext([]string{oidAuthFrameworkObjects})
	})
	if err != nil {
		return false, err
	}
	if pkt.Error != gosnmp.NoError {
		return false, c.agentError(op, pkt)
	}
	if len(pkt.Variables) == 0 || missing(pkt.Variables[0]) {
		return false, nil
	}
	_, ok := under(normalizeOID(pkt.Variables[0].Name), oidAuthFrameworkObjects)
	return ok, nil
}

// compareOID orders two dotted OIDs sub-identifier by sub-identifier, a
// prefix first; a malformed OID sorts as its valid prefix.
func compareOID(a, b string) int {
	i, j := 0, 0
	for {
		x, ni, okA := nextSubID(a, i)
		y, nj, okB := nextSubID(b, j)
		switch {
		case !okA && !okB:
			return 0
		case !okA:
			return -1
		case !okB:
			return 1
		case x < y:
			return -1
		case x > y:
			return 1
		}
		i, j = ni, nj
	}
}

// nextSubID reads the sub-identifier at s[i:], skipping one leading dot.
func nextSubID(s string, i int) (uint64, int, bool) {
	if i < len(s) && s[i] == '.' {
		i++
	}
	start := i
	var v uint64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if v < 1<<40 {
			v = v*10 + uint64(s[i]-'0')
		}
		i++
	}
	if i == start {
		return 0, i, false
	}
	return v, i, true
}
