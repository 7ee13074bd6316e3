package snmp

import (
	"context"
	"net"

	"github.com/gosnmp/gosnmp"
)

// Client polls one switch's session table. It keeps its socket and, for v3,
// the agent's engine ID, boots and time between polls, so a poll costs
// only the walks. A Client is not safe for concurrent use: gosnmp keeps
// request IDs and v3 state in it, so use one per goroutine and switch.
type Client struct {
	cfg    Config
	device string
	target string
	snmp   *gosnmp.GoSNMP // nil until the first poll, and after a failed one
	conn   *recordingConn // snmp's socket
}

// New checks cfg and returns a Client for it; nothing is sent until
// Sessions.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, device: cfg.device(), target: cfg.target()}, nil
}

// Sessions polls one switch once with a Client used only for that poll. A
// poller that polls the same switch again should keep a Client instead.
func Sessions(ctx context.Context, cfg Config) (Result, error) {
	c, err := New(cfg)
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	return c.Sessions(ctx)
}

// Sessions walks the switch's cafSessionTable and returns its sessions.
// Each request waits at most Config.Timeout, tried 1+Retries times; ctx
// ends a poll at once, mid-request included. A switch whose table is
// empty returns no sessions and no error; one without the MIB returns an
// *Error with ReasonNotSupported. A failed poll leaves the Client ready to
// try again with a new socket.
func (c *Client) Sessions(ctx context.Context) (Result, error) {
	var res Result
	if err := ctx.Err(); err != nil {
		return res, c.classify(ctx, "poll", err, "")
	}
	if c.snmp == nil {
		if err := c.connect(ctx); err != nil {
			return res, err
		}
	}
	c.snmp.Context = ctx
	// gosnmp checks ctx only between tries; closing the socket ends a
	// read in progress. The closure touches only the socket, never the
	// GoSNMP, which this goroutine is using.
	sock := c.conn.Conn
	stop := context.AfterFunc(ctx, func() { _ = sock.Close() })
	err := c.poll(ctx, &res)
	if !stop() || err != nil {
		c.drop()
	}
	if err != nil {
		return Result{Requests: res.Requests}, err
	}
	return res, nil
}

// Close releases the socket; the Client may be used again.
func (c *Client) Close() error {
	c.drop()
	return nil
}

func (c *Client) drop() {
	if c.conn != nil {
		_ = c.conn.Conn.Close()
	}
	c.snmp, c.conn = nil, nil
}

// connect builds a fresh GoSNMP (v3 state included, never shared) and
// opens its UDP socket.
func (c *Client) connect(ctx context.Context) error {
	cfg := c.cfg
	g := &gosnmp.GoSNMP{
		Target:    cfg.Address,
		Port:      uint16(cfg.port()),
		Transport: "udp",
		Timeout:   cfg.timeout(),
		Retries:   cfg.retries(),
		// Walks are this package's own (walk.go); the value only
		// matters to gosnmp's BulkWalk, which is not used.
		MaxRepetitions: uint32(cfg.maxRepetitions()),
		Context:        ctx,
	}
	if cfg.v3() {
		auth, _ := authProtocol(cfg.AuthProto)
		usm := &gosnmp.UsmSecurityParameters{
			UserName:                 cfg.User,
			AuthenticationProtocol:   auth,
			AuthenticationPassphrase: cfg.AuthPass,
		}
		g.MsgFlags = gosnmp.AuthNoPriv
		if cfg.PrivProto != "" {
			priv, _ := privProtocol(cfg.PrivProto)
			usm.PrivacyProtocol, usm.PrivacyPassphrase = priv, cfg.PrivPass
			g.MsgFlags = gosnmp.AuthPriv
		}
		g.Version, g.SecurityModel, g.SecurityParameters = gosnmp.Version3, gosnmp.UserSecurityModel, usm
	} else {
		g.Version, g.Community = gosnmp.Version2c, cfg.Community
	}
	if err := g.Connect(); err != nil {
		return c.classify(ctx, "connect", err, "")
	}
	c.conn = &recordingConn{Conn: g.Conn, record: cfg.v3()}
	g.Conn = c.conn
	c.snmp = g
	return nil
}

// recordingConn keeps the last datagram read, so that a v3 Report that
// gosnmp discarded as unauthenticated can still say why the agent refused
// the request.
type recordingConn struct {
	net.Conn
	record bool
	last   []byte
}

// Read reads a datagram and keeps a copy when recording.
func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if r.record && n > 0 {
		r.last = append(r.last[:0], p[:n]...)
	}
	return n, err
}

// reportOID returns the OID of the Report PDU in raw, or "" when raw is not
// an unauthenticated SNMPv3 Report. raw comes from the network, so a
// decoder panic is contained here.
func reportOID(raw []byte, user string) (oid string) {
	if len(raw) == 0 {
		return ""
	}
	defer func() {
		if recover() != nil {
			oid = ""
		}
	}()
	d := &gosnmp.GoSNMP{
		Version:            gosnmp.Version3,
		SecurityModel:      gosnmp.UserSecurityModel,
		MsgFlags:           gosnmp.NoAuthNoPriv,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: user},
	}
	p, err := d.SnmpDecodePacket(raw)
	if err != nil || p.Version != gosnmp.Version3 || p.PDUType != gosnmp.Report || len(p.Variables) != 1 {
		return ""
	}
	if p.MsgFlags&gosnmp.AuthNoPriv != 0 {
		// An authenticated report reached gosnmp's own handling.
		return ""
	}
	return normalizeOID(p.Variables[0].Name)
}

// normalizeOID adds the leading dot gosnmp's names carry.
func normalizeOID(s string) string {
	if s != "" && s[0] != '.' {
		return "." + s
	}
	return s
}
