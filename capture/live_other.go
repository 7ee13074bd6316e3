//go:build !linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"runtime"
)

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
