package ssh

import (
	"errors"
	"fmt"
)

// Reason is why an SSH operation on a switch failed, short and stable for
// a metric label.
type Reason string

// The reasons.
const (
	ReasonConfig           Reason = "config"            // the Config is invalid; nothing was sent
	ReasonConnect          Reason = "connect"           // TCP connect failed or timed out
	ReasonHandshake        Reason = "handshake"         // the SSH handshake failed (not a timeout, key or auth)
	ReasonHandshakeTimeout Reason = "handshake-timeout" // the peer did not finish the SSH handshake in time
	ReasonAlgorithms       Reason = "algorithms"        // no key exchange, cipher, MAC or host key algorithm in common
	ReasonAuth             Reason = "auth"              // the switch refused the credentials
	ReasonHostKeyUnknown   Reason = "host-key-unknown"  // strict checking: the host is not in known_hosts
	ReasonHostKeyChanged   Reason = "host-key-changed"  // the host key differs from the recorded one: always refused
	ReasonEnable           Reason = "enable"            // enable failed (no or wrong enable secret)
	ReasonCommandTimeout   Reason = "command-timeout"   // no prompt within the command time limit
	ReasonCommandFailed    Reason = "command-failed"    // the switch answered with an error (% Invalid input, ...)
	ReasonRefused          Reason = "refused"           // the command is not in the allow-list; it was not sent
	ReasonDisconnected     Reason = "disconnected"      // the connection was lost
	ReasonParse            Reason = "parse"             // the output was not what the command prints
	ReasonCanceled         Reason = "canceled"          // the caller's context ended
)

// Error is a failed SSH operation on one switch. It never holds a secret:
// messages are built from the operation and the cause's class, and
// outputs quoted in it have the session's secrets removed.
type Error struct {
	Switch string
	Reason Reason
	Op     string // what was being done: "connect", "show version", ...
	Err    error  // the cause; may be nil
}

// Error formats "switch SW: OP: REASON: CAUSE", leaving out the reason
// when it only repeats the operation ("connect").
func (e *Error) Error() string {
	s := fmt.Sprintf("switch %s: %s", e.Switch, e.Op)
	if string(e.Reason) != e.Op {
		s += ": " + string(e.Reason)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the reason of an *Error in err's chain, or "" for nil,
// or ReasonDisconnected for any other error.
func ReasonOf(err error) Reason {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ReasonDisconnected
}
