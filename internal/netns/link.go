package netns

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// UpTimeout bounds the wait for a link to come up (carrier and an active
// queue discipline) after SetUp.
const UpTimeout = 5 * time.Second

// Veth creates a veth pair with one end, name, in n and the other, peerName,
// in peer, and brings both up. When peer is nil the other end is in the
// test's own namespace; an empty peerName then picks a unique one. It
// returns the peer end's name. The pair is deleted when the test ends.
func (n *Namespace) Veth(name string, peer *Namespace, peerName string) string {
	n.t.Helper()
	if peer == nil && peerName == "" {
		suffix := make([]byte, 5)
		if _, err := rand.Read(suffix); err != nil {
			n.t.Fatalf("netns: random link name: %v", err)
		}
		peerName = "sw" + hex.EncodeToString(suffix)
	}
	args := []string{"link", "add", name, "netns", n.Name, "type", "veth", "peer", "name", peerName}
	if peer != nil {
		args = append(args, "netns", peer.Name)
	}
	if out, err := run(nil, "ip", args...); err != nil {
		n.t.Fatalf("netns: ip %v: %v: %s", args, err, out)
	}
	if peer == nil {
		// Deleting n would take the pair with it, but a test may outlive
		// its namespaces' cleanup order; deleting the host end explicitly
		// never leaves a link on the host.
		n.t.Cleanup(func() {
			if _, err := net.InterfaceByName(peerName); err != nil {
				return
			}
			if out, err := run(nil, "ip", "link", "del", peerName); err != nil {
				n.t.Errorf("netns: ip link del %s: %v: %s", peerName, err, out)
			}
		})
	}
	n.SetUp(name)
	if peer != nil {
		peer.SetUp(peerName)
	} else {
		if out, err := run(nil, "ip", "link", "set", peerName, "up"); err != nil {
			n.t.Fatalf("netns: ip link set %s up: %v: %s", peerName, err, out)
		}
		if err := waitUp(peerName); err != nil {
			n.t.Fatal(err)
		}
	}
	if err := n.Do(func() error { return waitUp(name) }); err != nil {
		n.t.Fatal(err)
	}
	if peer != nil {
		if err := peer.Do(func() error { return waitUp(peerName) }); err != nil {
			n.t.Fatal(err)
		}
	}
	return peerName
}

// SetUp brings a link up.
func (n *Namespace) SetUp(link string) {
	n.t.Helper()
	n.IP("link", "set", link, "up")
}

// AddAddr adds an address with its prefix length to a link. IPv6 addresses
// skip duplicate address detection (nodad), so they are usable at once
// instead of staying tentative for a second or more.
func (n *Namespace) AddAddr(link string, p netip.Prefix) {
	n.t.Helper()
	args := []string{"addr", "add", p.String(), "dev", link}
	if p.Addr().Is6() && !p.Addr().Is4In6() {
		args = append(args, "nodad")
	}
	n.IP(args...)
}

// AddRoute adds a route to dst through the gateway via.
func (n *Namespace) AddRoute(dst netip.Prefix, via netip.Addr) {
	n.t.Helper()
	n.IP("route", "add", dst.String(), "via", via.String())
}

// HardwareAddr returns a link's MAC address.
func (n *Namespace) HardwareAddr(link string) net.HardwareAddr {
	n.t.Helper()
	var mac net.HardwareAddr
	err := n.Do(func() error {
		ifi, err := net.InterfaceByName(link)
		if err != nil {
			return fmt.Errorf("netns %s: %w", n.Name, err)
		}
		mac = ifi.HardwareAddr
		return nil
	})
	if err != nil {
		n.t.Fatal(err)
	}
	return mac
}

// Index returns a link's interface index.
func (n *Namespace) Index(link string) int {
	n.t.Helper()
	var index int
	err := n.Do(func() error {
		ifi, err := net.InterfaceByName(link)
		if err != nil {
			return fmt.Errorf("netns %s: %w", n.Name, err)
		}
		index = ifi.Index
		return nil
	})
	if err != nil {
		n.t.Fatal(err)
	}
	return index
}

// waitUp waits until a link of the calling thread's namespace is running.
// Until then the kernel has not attached the link's queue discipline and
// drops what is sent on it.
func waitUp(link string) error {
	deadline := time.Now().Add(UpTimeout)
	for {
		ifi, err := net.InterfaceByName(link)
		if err != nil {
			return fmt.Errorf("link %s: %w", link, err)
		}
		if ifi.Flags&net.FlagRunning != 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("link " + link + " not running after " + UpTimeout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
