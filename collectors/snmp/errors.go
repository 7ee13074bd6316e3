package snmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/gosnmp/gosnmp"
)

// Reason is why a poll failed, short and stable for a metric label.
type Reason string

// Reasons a poll fails for.
const (
	ReasonConfig        Reason = "config"         // the Config is invalid; nothing was sent
	ReasonNetwork       Reason = "network"        // name resolution or socket failure
	ReasonRefused       Reason = "refused"        // ICMP port unreachable: no agent on the port
	ReasonTimeout       Reason = "timeout"        // no (usable) answer within Timeout and Retries
	ReasonUnknownUser   Reason = "unknown-user"   // v3: the agent reported usmStatsUnknownUserNames
	ReasonWrongDigest   Reason = "wrong-digest"   // v3: the agent reported usmStatsWrongDigests
	ReasonDecryption    Reason = "decryption"     // v3: the agent reported usmStatsDecryptionErrors
	ReasonSecurityLevel Reason = "security-level" // v3: the agent reported usmStatsUnsupportedSecLevels
	ReasonAuthFailed    Reason = "authentication" // v3: an answer failed authentication, cause not reported
	ReasonNotSupported  Reason = "not-supported"  // nothing under CISCO-AUTH-FRAMEWORK-MIB
	ReasonAccessDenied  Reason = "access-denied"  // error-status authorizationError or noAccess
	ReasonAgent         Reason = "agent-error"    // an error-status, or an answer that breaks the protocol
	ReasonCanceled      Reason = "canceled"       // the caller's context ended
)

// Error is a failed poll of one switch: which device, what was being done
// and why. It never holds a community or passphrase.
type Error struct {
	Device string // Config.Name, else Config.Address
	Target string // "host:port"
	Op     string // what was being done, e.g. "walk cafSessionClientMacAddress"
	Reason Reason
	Detail string // what the reason means here, for a person
	Err    error  // the underlying error, when there is one
}

// Error formats "snmp DEVICE (TARGET): OP: DETAIL: ERR".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("snmp ")
	b.WriteString(e.Device)
	if e.Target != "" && e.Target != e.Device {
		b.WriteString(" (")
		b.WriteString(e.Target)
		b.WriteString(")")
	}
	if e.Op != "" {
		b.WriteString(": ")
		b.WriteString(e.Op)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of an *Error in err's chain, or "" when there
// is none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// Report OIDs of RFC 3414 that say why a v3 request was refused.
const (
	reportUnsupportedSecLevels = ".1.3.6.1.6.3.15.1.1.1.0"
	reportUnknownUserNames     = ".1.3.6.1.6.3.15.1.1.3.0"
	reportWrongDigests         = ".1.3.6.1.6.3.15.1.1.5.0"
	reportDecryptionErrors     = ".1.3.6.1.6.3.15.1.1.6.0"
)

// reportReason returns the reason and explanation of a report OID, or ""
// for reports that are not failures (engine discovery, time window).
func reportReason(oid string) (Reason, string) {
	switch oid {
	case reportUnsupportedSecLevels:
		return ReasonSecurityLevel, "the agent reported an unsupported security level (usmStatsUnsupportedSecLevels): the user needs other auth or priv settings than this config has"
	case reportUnknownUserNames:
		return ReasonUnknownUser, "the agent reported an unknown user name (usmStatsUnknownUserNames)"
	case reportWrongDigests:
		return ReasonWrongDigest, "the agent reported a wrong digest (usmStatsWrongDigests): the authentication passphrase or protocol does not match the user's"
	case reportDecryptionErrors:
		return ReasonDecryption, "the agent reported a decryption error (usmStatsDecryptionErrors): the privacy passphrase or protocol does not match the user's"
	}
	return "", ""
}

// classify turns a gosnmp or socket error into an *Error. report is the
// OID of the Report PDU the agent last sent, "" when none; gosnmp checks an
// unauthenticated report against the user's keys and discards it as "not
// authentic", so the report is read from the raw datagram instead.
func (c *Client) classify(ctx context.Context, op string, err error, report string) *Error {
	e := &Error{Device: c.device, Target: c.target, Op: op, Err: err}
	tries := c.cfg.retries() + 1
	ctxErr := ctx.Err()
	if dl, ok := ctx.Deadline(); ok && ctxErr == nil && !time.Now().Before(dl) {
		// gosnmp bounds its socket reads by the context's deadline too,
		// and its read can time out a moment before the context's own
		// timer marks it done: the caller's deadline ended the poll.
		ctxErr = context.DeadlineExceeded
	}
	switch {
	case ctxErr != nil:
		e.Reason, e.Detail, e.Err = ReasonCanceled, "stopped by the caller", ctxErr
	case report != "" && reasonOfReport(report) != "":
		e.Reason, e.Detail = reportReason(report)
		e.Err = nil
	case errors.Is(err, gosnmp.ErrUnknownUsername):
		e.Reason, e.Detail = reportReason(reportUnknownUserNames)
	case errors.Is(err, gosnmp.ErrWrongDigest):
		e.Reason, e.Detail = reportReason(reportWrongDigests)
	case errors.Is(err, gosnmp.ErrDecryption):
		e.Reason, e.Detail = reportReason(reportDecryptionErrors)
	case errors.Is(err, gosnmp.ErrUnknownSecurityLevel):
		e.Reason, e.Detail = reportReason(reportUnsupportedSecLevels)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Reason, e.Detail = ReasonRefused, "nothing listens on the SNMP port (ICMP port unreachable)"
	case errors.Is(err, gosnmp.ErrMaxRetriesExceeded), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		e.Reason, e.Err = ReasonTimeout, nil
		e.Detail = fmt.Sprintf("no answer after %d tries of %s", tries, c.cfg.timeout())
		if c.cfg.v3() {
			e.Detail += " (agent down or unreachable, an SNMP ACL, or a privacy passphrase or protocol that does not match the user's, e.g. AES-256 for an AES-256-C user: such requests are dropped without a report)"
		} else {
			e.Detail += " (agent down or unreachable, an SNMP ACL, or a wrong community: agents drop those without an answer)"
		}
	case strings.Contains(err.Error(), "not authentic"):
		e.Reason, e.Err = ReasonAuthFailed, nil
		e.Detail = "an answer failed authentication and the agent reported no cause: the authentication passphrase or protocol does not match the user's"
	case isNetwork(err):
		e.Reason = ReasonNetwork
	default:
		e.Reason = ReasonAgent
	}
	if e.Reason == ReasonUnknownUser {
		e.Detail += fmt.Sprintf(" for user %q", c.cfg.User)
	}
	return e
}

// reasonOfReport is reportReason's Reason alone.
func reasonOfReport(oid string) Reason {
	r, _ := reportReason(oid)
	return r
}

// isTimeout reports a socket deadline, which gosnmp returns as is when the
// last try timed out and retries ran out in between.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isNetwork reports resolution and socket errors.
func isNetwork(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	return errors.As(err, &dnsErr) || errors.As(err, &opErr)
}
