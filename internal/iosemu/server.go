package iosemu

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ServerConfig says how the in-process SSH server lets clients in.
type ServerConfig struct {
	// HostKey is the server's key; a new ed25519 key when nil.
	HostKey ssh.Signer
	// User is the only user name accepted.
	User string
	// Password is accepted by password authentication, or asked for by
	// keyboard-interactive when KeyboardInteractive is set; "" turns
	// both off.
	Password            string
	KeyboardInteractive bool
	// AuthorizedKey is accepted by public-key authentication; nil turns
	// it off.
	AuthorizedKey ssh.PublicKey
	// KeyExchanges and Ciphers, when set, are all the server offers (an
	// old release: IOS 12.2 offers diffie-hellman-group1-sha1 and CBC
	// ciphers only).
	KeyExchanges, Ciphers []string
}

// Server serves one emulated switch over SSH on a loopback port.
type Server struct {
	sw      *Switch
	cfg     *ssh.ServerConfig
	hostKey ssh.PublicKey
	l       net.Listener

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	total  int
	closed bool
	wg     sync.WaitGroup
}

// NewHostKey returns a new ed25519 host key.
func NewHostKey() (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	return s, nil
}

// Listen starts serving sw on addr ("127.0.0.1:0" for a free port).
func Listen(addr string, sw *Switch, c ServerConfig) (*Server, error) {
	if c.HostKey == nil {
		k, err := NewHostKey()
		if err != nil {
			return nil, err
		}
		c.HostKey = k
	}
	cfg := &ssh.ServerConfig{ServerVersion: "SSH-2.0-Cisco-1.25"}
	cfg.KeyExchanges, cfg.Ciphers = c.KeyExchanges, c.Ciphers
	if c.Password != "" && !c.KeyboardInteractive {
		cfg.PasswordCallback = func(m ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if m.User() == c.User && string(pw) == c.Password {
				return nil, nil
			}
			return nil, errors.New("password rejected")
		}
	}
	if c.Password != "" && c.KeyboardInteractive {
		cfg.KeyboardInteractiveCallback = func(m ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			ans, err := ask("", "", []string{"Password: "}, []bool{false})
			if err != nil {
				return nil, err
			}
			if m.User() == c.User && len(ans) == 1 && ans[0] == c.Password {
				return nil, nil
			}
			return nil, errors.New("password rejected")
		}
	}
	if c.AuthorizedKey != nil {
		want := c.AuthorizedKey.Marshal()
		cfg.PublicKeyCallback = func(m ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			if m.User() == c.User && string(k.Marshal()) == string(want) {
				return nil, nil
			}
			return nil, errors.New("key rejected")
		}
	}
	cfg.AddHostKey(c.HostKey)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulated switch: %w", err)
	}
	s := &Server{sw: sw, cfg: cfg, hostKey: c.HostKey.PublicKey(), l: l, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.l.Addr().String() }

// HostKey returns the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey }

// KnownHostsLine returns the known_hosts line for the server.
func (s *Server) KnownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr())}, s.hostKey)
}

// Switch returns the emulated switch.
func (s *Server) Switch() *Switch { return s.sw }

// Open counts the connections open now.
func (s *Server) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Accepted counts the connections accepted so far.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// DropAll closes every open connection, as a switch reload would.
func (s *Server) DropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// Close stops the server, closes its connections and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	err := s.l.Close()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.total++
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

func (s *Server) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	// A client that never finishes the handshake must not hold a
	// goroutine for ever.
	c.SetDeadline(time.Now().Add(30 * time.Second))
	sc, chans, reqs, err := ssh.NewServerConn(c, s.cfg)
	if err != nil {
		return
	}
	c.SetDeadline(time.Time{})
	defer sc.Close()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ssh.DiscardRequests(reqs)
	}()
	abort := func() {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	}
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for r := range creqs {
				switch r.Type {
				case "pty-req", "window-change", "env":
					r.Reply(true, nil)
				case "shell":
					r.Reply(true, nil)
					s.wg.Add(1)
					go func() {
						defer s.wg.Done()
						s.sw.Serve(ch, abort)
						ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
						ch.Close()
					}()
				default:
					r.Reply(false, nil)
				}
			}
		}()
	}
}
