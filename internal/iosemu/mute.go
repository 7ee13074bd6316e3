package iosemu

import (
	"net"
	"sync"
)

// Mute is a device that accepts TCP connections and never speaks SSH (a
// switch whose SSH process hangs, a firewall that completes the
// handshake): the fault a client's SSH handshake time limit is for.
type Mute struct {
	l    net.Listener
	mu   sync.Mutex
	held []net.Conn
	done chan struct{}
}

// ListenMute starts a mute device on addr ("127.0.0.1:0" for a free port).
func ListenMute(addr string) (*Mute, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	m := &Mute{l: l, done: make(chan struct{})}
	go m.accept()
	return m, nil
}

func (m *Mute) accept() {
	defer close(m.done)
	for {
		c, err := m.l.Accept()
		if err != nil {
			return
		}
		m.mu.Lock()
		m.held = append(m.held, c)
		m.mu.Unlock()
	}
}

// Addr returns the device's address, host:port.
func (m *Mute) Addr() string { return m.l.Addr().String() }

// Close stops listening and closes every connection it held.
func (m *Mute) Close() error {
	err := m.l.Close()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.held {
		c.Close()
	}
	m.held = nil
	return err
}
