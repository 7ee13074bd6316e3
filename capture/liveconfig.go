package capture

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults and limits of LiveConfig.
const (
	DefaultSnaplen   = 256
	MinSnaplen       = 128
	MaxSnaplen       = 65535
	DefaultRingBytes = 4 << 20
	MinRingBytes     = 2 * ringBlockBytes // two TPACKET_V3 blocks
	MaxRingBytes     = 1 << 30
	DefaultIdleTick  = 250 * time.Millisecond
	DefaultRetryMin  = time.Second
	DefaultRetryMax  = 30 * time.Second
)

// ringBlockBytes is the TPACKET_V3 block size: the kernel hands blocks to
// user space whole, so small blocks keep a quiet link from holding frames
// in a half-filled one.
const ringBlockBytes = 128 << 10

// LiveConfig sets up live capture.
type LiveConfig struct {
	// Interfaces are the capture interfaces (SPAN destination ports); each
	// gets its own socket and ring. Only Ethernet interfaces (and loopback)
	// are supported.
	Interfaces []string
	// Ports are the state-sync ports the kernel filter keeps (default 8449).
	Ports []uint16
	// Snaplen is how many bytes of each frame are kept (default 256, at
	// least 128 so that tagged IPv6 with extension headers keeps its TCP
	// header, at most 65535).
	Snaplen int
	// RingBytes is the size of each interface's ring buffer (default 4 MiB,
	// rounded down to 128 KiB blocks, at least 256 KiB, at most 1 GiB).
	RingBytes int
	// IdleTick is how long nothing must arrive before Run calls tick, so
	// that attempts time out on a silent link (default 250 ms).
	IdleTick time.Duration
	// NoPromiscuous leaves the interfaces out of promiscuous mode. Leave it
	// false on a SPAN destination port, whose frames are addressed to other
	// hosts' MACs: a NIC in normal mode discards them.
	NoPromiscuous bool
	// RetryMin is the pause before the first attempt to reopen a failed
	// interface (default 1 s); each failed attempt doubles it, up to
	// RetryMax (default 30 s, or RetryMin if that is longer). Each pause
	// varies by up to 10 % either way.
	RetryMin, RetryMax time.Duration
	// Logger receives interface failures and recoveries; nil discards them.
	Logger *slog.Logger
}

// withDefaults fills in the defaults and checks the configuration.
// Check reports what is wrong with the configuration (empty or repeated
// interface names, a snaplen or ring size out of range, ...), as OpenLive
// would, without opening anything.
func (c LiveConfig) Check() error {
	_, err := c.withDefaults()
	return err
}

func (c LiveConfig) withDefaults() (LiveConfig, error) {
	if len(c.Ports) == 0 {
		c.Ports = []uint16{DefaultPort}
	}
	if c.Snaplen == 0 {
		c.Snaplen = DefaultSnaplen
	}
	if c.RingBytes == 0 {
		c.RingBytes = DefaultRingBytes
	}
	if c.IdleTick == 0 {
		c.IdleTick = DefaultIdleTick
	}
	if c.RetryMin == 0 {
		c.RetryMin = DefaultRetryMin
	}
	if c.RetryMax == 0 {
		c.RetryMax = max(DefaultRetryMax, c.RetryMin)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	if len(c.Interfaces) == 0 {
		errs = append(errs, errors.New("no capture interface"))
	}
	seen := make(map[string]bool, len(c.Interfaces))
	for _, name := range c.Interfaces {
		switch {
		case name == "":
			errs = append(errs, errors.New("empty interface name"))
		case seen[name]:
			errs = append(errs, fmt.Errorf("interface %q listed twice", name))
		}
		seen[name] = true
	}
	if c.Snaplen < MinSnaplen || c.Snaplen > MaxSnaplen {
		errs = append(errs, fmt.Errorf("snaplen %d outside %d..%d", c.Snaplen, MinSnaplen, MaxSnaplen))
	}
	if c.RingBytes < MinRingBytes || c.RingBytes > MaxRingBytes {
		errs = append(errs, fmt.Errorf("ring size %d bytes outside %d..%d", c.RingBytes, MinRingBytes, MaxRingBytes))
	}
	if c.IdleTick < 0 {
		errs = append(errs, fmt.Errorf("idle tick %v is negative", c.IdleTick))
	}
	if c.RetryMin < 0 {
		errs = append(errs, fmt.Errorf("retry pause %v is negative", c.RetryMin))
	}
	if c.RetryMax < c.RetryMin {
		errs = append(errs, fmt.Errorf("longest retry pause %v is shorter than the first, %v", c.RetryMax, c.RetryMin))
	}
	return c, errors.Join(errs...)
}

// InterfaceHealth is the state of one live capture interface.
type InterfaceHealth struct {
	// Name is the interface's name.
	Name string
	// Up reports whether a socket is open on the interface: being read
	// during Run, ready to be before. It is false while the interface is
	// failed and after Run returned or Close was called.
	Up bool
	// Failures counts the times the interface's socket failed (the
	// interface went down or was removed); failed attempts to reopen it do
	// not count.
	Failures uint64
	// LastError is the last failure's or failed reopening's message, or
	// empty if there was none; it stays after the interface recovered.
	LastError string
}
