package iosemu

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxLine bounds a received line: a peer that never sends a return cannot
// make the emulator grow without end.
const maxLine = 4096

// Switch is one emulated switch: its profile, which tests may change
// between polls, and every line it received on any connection.
type Switch struct {
	mu       sync.Mutex
	profile  Profile
	received []string
	bytes    []byte
	logins   int
	recorder io.Writer
	// beforeCommand, when set (before any Serve), runs before each
	// command, outside the lock: RunProcess re-reads a changed profile.
	beforeCommand func()
}

// NewSwitch returns an emulated switch with the given profile.
func NewSwitch(p Profile) *Switch { return &Switch{profile: p} }

// Update changes the profile; f runs under the switch's lock, so it must
// replace slices and maps rather than modify the ones a connection may be
// printing from.
func (s *Switch) Update(f func(p *Profile)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.profile)
}

// Received returns every line received so far, on every connection, in
// order; lines typed without echo (the enable secret) included.
func (s *Switch) Received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

// ReceivedBytes returns every byte received so far, lines not yet ended
// included: proof that nothing of a refused command reached the switch.
func (s *Switch) ReceivedBytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.bytes...)
}

// Logins counts the terminal sessions served so far.
func (s *Switch) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// SetRecorder makes the switch also write every received line, one per
// line, to w (the log file of a switch run under sshd).
func (s *Switch) SetRecorder(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recorder = w
}

func (s *Switch) record(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, line)
	if s.recorder != nil {
		fmt.Fprintln(s.recorder, line)
	}
}

func (s *Switch) recordByte(b byte) {
	s.mu.Lock()
	s.bytes = append(s.bytes, b)
	s.mu.Unlock()
}

// errClosed ends a session the emulator closed itself (exit, a fault).
var errClosed = errors.New("session closed by the emulated switch")

// Serve runs one terminal session on rw (a PTY or an SSH channel) until
// the peer leaves, types exit, or a fault ends it. abort, when not nil,
// tears the connection down abruptly (a reset fault).
func (s *Switch) Serve(rw io.ReadWriter, abort func()) error {
	s.mu.Lock()
	s.logins++
	p := s.profile
	s.mu.Unlock()
	c := &cli{
		sw:     s,
		in:     bufio.NewReader(rw),
		out:    bufio.NewWriter(rw),
		abort:  abort,
		priv:   p.EnableSecret == "",
		length: p.TermLength,
		width:  80,
		delay:  p.LineDelay,
	}
	if c.length == 0 {
		c.length = 24
	}
	err := c.run(&p)
	if errors.Is(err, errClosed) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// cli is the state of one terminal session.
type cli struct {
	sw     *Switch
	in     *bufio.Reader
	out    *bufio.Writer
	abort  func()
	priv   bool
	length int
	width  int
	delay  time.Duration
	skipLF bool
	host   string
}

func (c *cli) run(p *Profile) error {
	c.host = p.Hostname
	banner := ""
	if p.Banner != "" {
		banner = "\n" + strings.TrimRight(p.Banner, "\n") + "\n\n"
	}
	if f, ok := p.loginFault(); ok {
		// The login's output is the banner: a fault may cut it.
		return c.faultOutput(f, banner)
	}
	c.out.WriteString(strings.ReplaceAll(banner, "\n", "\r\n"))
	for {
		c.out.WriteString(c.prompt())
		if err := c.out.Flush(); err != nil {
			return err
		}
		line, err := c.readLine(true)
		if err != nil {
			return err
		}
		c.sw.record(line)
		if err := c.command(line); err != nil {
			return err
		}
	}
}

func (c *cli) prompt() string {
	if c.priv {
		return c.host + "#"
	}
	return c.host + ">"
}

// readByte reads one byte, dropping the LF of a CR LF pair.
func (c *cli) readByte() (byte, error) {
	for {
		b, err := c.in.ReadByte()
		if err != nil {
			return 0, err
		}
		c.sw.recordByte(b)
		if c.skipLF && b == '\n' {
			c.skipLF = false
			continue
		}
		c.skipLF = b == '\r'
		return b, nil
	}
}

// readLine reads up to a return, echoing what is typed when echo is set
// (IOS echoes; it does not echo a password).
func (c *cli) readLine(echo bool) (string, error) {
	var line []byte
	for {
		b, err := c.readByte()
		if err != nil {
			return "", err
		}
		switch {
		case b == '\r' || b == '\n':
			c.out.WriteString("\r\n")
			return string(line), c.out.Flush()
		case b == 0x7f || b == 0x08:
			if len(line) > 0 {
				line = line[:len(line)-1]
				if echo {
					c.out.WriteString("\b \b")
				}
			}
		case b < 0x20:
			// Control characters (^C, ^Z, escape sequences) are ignored.
		case len(line) < maxLine:
			line = append(line, b)
			if echo {
				c.out.WriteByte(b)
			}
		}
		if c.in.Buffered() == 0 {
			if err := c.out.Flush(); err != nil {
				return "", err
			}
		}
	}
}

// command runs one line.
func (c *cli) command(line string) error {
	n := normalize(line)
	if c.sw.beforeCommand != nil {
		c.sw.beforeCommand()
	}
	c.sw.mu.Lock()
	p := &c.sw.profile
	f, faulty := p.fault(n)
	var out string
	known := false
	w := strings.Fields(n)
	switch {
	case n == "":
		known = true
	case n == "exit" || n == "logout" || n == "quit":
		c.sw.mu.Unlock()
		c.out.Flush()
		return errClosed
	case n == "enable":
		secret := p.EnableSecret
		c.sw.mu.Unlock()
		return c.enable(secret, faulty, f)
	case n == "disable":
		c.priv, known = false, true
	case len(w) == 3 && w[0] == "terminal" && (w[1] == "length" || w[1] == "width"):
		v, err := strconv.Atoi(w[2])
		if err == nil && v >= 0 && v <= 512 {
			known = true
			if w[1] == "length" {
				c.length = v
			} else {
				c.width = v
			}
		}
	case n == "show version" || c.priv && len(w) > 0 && w[0] == "show":
		out, known = p.answer(n)
	}
	c.sw.mu.Unlock()
	if faulty {
		return c.faultOutput(f, out)
	}
	if !known {
		return c.invalid()
	}
	return c.print(out)
}

// enable asks for the secret when one is set (without echo) and enters
// privileged mode when it matches.
func (c *cli) enable(secret string, faulty bool, f Fault) error {
	if faulty {
		return c.fail(f)
	}
	if c.priv || secret == "" {
		c.priv = true
		return nil
	}
	c.out.WriteString("Password: ")
	if err := c.out.Flush(); err != nil {
		return err
	}
	pw, err := c.readLine(false)
	if err != nil {
		return err
	}
	c.sw.record(pw)
	if pw != secret {
		c.out.WriteString("% Bad secrets\r\n\r\n")
		return nil
	}
	c.priv = true
	return nil
}

func (c *cli) invalid() error {
	c.out.WriteString(strings.Repeat(" ", len(c.prompt())) + "^\r\n% Invalid input detected at '^' marker.\r\n\r\n")
	return nil
}

// print writes an output, paging it by the terminal length and slowing it
// down when asked to.
func (c *cli) print(out string) error {
	if out == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	shown := 0
	for i := 0; i < len(lines); i++ {
		if c.length > 0 && shown == c.length-1 {
			key, err := c.more()
			if err != nil {
				return err
			}
			switch key {
			case 'q', 'Q':
				return nil
			case '\r', '\n':
				shown--
			default:
				shown = 0
			}
		}
		c.out.WriteString(strings.TrimSuffix(lines[i], "\r") + "\r\n")
		shown++
		if c.delay > 0 {
			if err := c.out.Flush(); err != nil {
				return err
			}
			time.Sleep(c.delay)
		}
	}
	return c.out.Flush()
}

// more shows --More--, waits for a key and erases the marker as IOS does.
func (c *cli) more() (byte, error) {
	c.out.WriteString(" --More-- ")
	if err := c.out.Flush(); err != nil {
		return 0, err
	}
	k, err := c.readByte()
	if err != nil {
		return 0, err
	}
	c.out.WriteString(strings.Repeat("\b", 10) + strings.Repeat(" ", 10) + strings.Repeat("\b", 10))
	return k, nil
}

// faultOutput writes the first AfterBytes of an output, then fails.
func (c *cli) faultOutput(f Fault, out string) error {
	if f.Kind != FaultSilent {
		out = strings.ReplaceAll(out, "\n", "\r\n")
		if f.AfterBytes < len(out) {
			out = out[:f.AfterBytes]
		}
		c.out.WriteString(out)
		if err := c.out.Flush(); err != nil {
			return err
		}
	}
	return c.fail(f)
}

// fail misbehaves as the fault says, after whatever was already written.
func (c *cli) fail(f Fault) error {
	c.out.Flush()
	switch f.Kind {
	case FaultReset:
		if c.abort != nil {
			c.abort()
		}
		return errClosed
	default:
		// Stall and silent: swallow everything until the peer gives up.
		_, err := io.Copy(io.Discard, c.in)
		if err == nil {
			err = errClosed
		}
		return err
	}
}
