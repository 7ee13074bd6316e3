//go:build !linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"
)

// Defaults and limits of LiveConfig, as on Linux.
const (
	DefaultSnaplen   = 256
	MinSnaplen       = 128
	MaxSnaplen       = 65535
	DefaultRingBytes = 4 << 20
	MinRingBytes     = 256 << 10
	MaxRingBytes     = 1 << 30
	DefaultIdleTick  = 250 * time.Millisecond
	DefaultRetryMin  = time.Second
	DefaultRetryMax  = 30 * time.Second
)

// LiveConfig sets up live capture, which needs Linux: see the Linux build
// for what each field does.
type LiveConfig struct {
	// Interfaces are the capture interfaces.
	Interfaces []string
	// Ports are the state-sync ports the kernel filter keeps.
	Ports []uint16
	// Snaplen is how many bytes of each frame are kept.
	Snaplen int
	// RingBytes is the size of each interface's ring buffer.
	RingBytes int
	// IdleTick is how long nothing must arrive before Run calls tick.
	IdleTick time.Duration
	// NoPromiscuous leaves the interfaces out of promiscuous mode.
	NoPromiscuous bool
	// RetryMin and RetryMax bound the pause before reopening a failed
	// interface.
	RetryMin, RetryMax time.Duration
	// Logger receives interface failures and recoveries.
	Logger *slog.Logger
}

// InterfaceHealth is the state of one live capture interface.
type InterfaceHealth struct {
	// Name is the interface's name.
	Name string
	// Up reports whether a socket is open on the interface.
	Up bool
	// Failures counts the times the interface's socket failed.
	Failures uint64
	// LastError is the last failure's or failed reopening's message.
	LastError string
}

// Live is live capture, which this system lacks: OpenLive never returns
// one.
type Live struct{}

// errNoLive is why live capture fails here.
var errNoLive = fmt.Errorf("live capture needs Linux AF_PACKET, and this is %s: %w", runtime.GOOS, errors.ErrUnsupported)

// OpenLive fails: live capture needs Linux AF_PACKET. Reading capture files
// (OpenFile) works everywhere.
func OpenLive(LiveConfig) (*Live, error) { return nil, errNoLive }

// Run fails: live capture needs Linux AF_PACKET.
func (l *Live) Run(context.Context, func(*Frame), func(now int64)) error { return errNoLive }

// InterfaceStats returns nothing: live capture needs Linux AF_PACKET.
func (l *Live) InterfaceStats() []InterfaceStats { return nil }

// InterfaceHealth returns nothing: live capture needs Linux AF_PACKET.
func (l *Live) InterfaceHealth() []InterfaceHealth { return nil }

// Interfaces returns nothing: live capture needs Linux AF_PACKET.
func (l *Live) Interfaces() []string { return nil }

// Close does nothing.
func (l *Live) Close() error { return nil }
