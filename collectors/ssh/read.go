package ssh

import (
	"context"
	"fmt"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

// dialect is which session commands the switch's release has, learnt
// from "% Invalid input" once per connection.
type dialect uint8

const (
	dialectUnknown       dialect = iota
	dialectAccessSession         // IOS-XE 16+: show access-session [mac M details]
	dialectAuthDetails           // IOS 15.x: show authentication sessions [mac M details]
	dialectAuthMAC               // IOS 12.2: show authentication sessions mac M (details without the keyword)
)

// bindingsDialect is which address table the switch has.
type bindingsDialect uint8

const (
	bindingsUnknown bindingsDialect = iota
	bindingsDeviceTracking
	bindingsIPDeviceTracking
	bindingsARP
)

// Output is one command's output with what collectors/ios read in it.
type Output struct {
	Command  string
	Text     string
	Result   ios.Result
	Warnings []ios.Warning
}

func (c *Client) parsed(ctx context.Context, cmd string) (Output, error) {
	text, err := c.Run(ctx, cmd)
	if err != nil {
		return Output{Command: cmd, Text: text}, err
	}
	r, ws := ios.Parse(cmd, text)
	return Output{Command: cmd, Text: text, Result: r, Warnings: ws}, nil
}

// Summary reads the session summary: show access-session, or show
// authentication sessions where the release lacks it.
func (c *Client) Summary(ctx context.Context) (Output, error) {
	c.mu.Lock()
	d := c.dialect
	c.mu.Unlock()
	if d == dialectUnknown || d == dialectAccessSession {
		out, err := c.parsed(ctx, CmdAccessSession)
		if err == nil {
			c.setDialect(dialectAccessSession)
			return out, c.expect(out, ios.KindSessionSummary)
		}
		if !invalidInput(err) || d == dialectAccessSession {
			return out, err
		}
		c.setDialect(dialectAuthDetails)
	}
	out, err := c.parsed(ctx, CmdAuthSessions)
	if err != nil {
		return out, err
	}
	return out, c.expect(out, ios.KindSessionSummary)
}

// Details reads the details of the sessions of one MAC (normalized,
// "aa:bb:cc:00:11:22"): show access-session mac M details, show
// authentication sessions mac M details, or, on IOS 12.2, show
// authentication sessions mac M, as "% Invalid input" tells.
func (c *Client) Details(ctx context.Context, mac string) (Output, error) {
	dm := DottedMAC(mac)
	if dm == "" {
		return Output{}, c.cfg.err(ReasonParse, "details", fmt.Errorf("not a MAC address: %q", printable(mac)))
	}
	c.mu.Lock()
	d := c.dialect
	c.mu.Unlock()
	if d == dialectUnknown || d == dialectAccessSession {
		out, err := c.parsed(ctx, accessSessionMAC(dm))
		if err == nil || !invalidInput(err) || d == dialectAccessSession {
			if err == nil {
				c.setDialect(dialectAccessSession)
				err = c.expectDetails(out)
			}
			return out, err
		}
		d = dialectAuthDetails
		c.setDialect(d)
	}
	if d == dialectAuthDetails {
		out, err := c.parsed(ctx, authSessionsMACDetails(dm))
		if err == nil || !invalidInput(err) {
			if err == nil {
				err = c.expectDetails(out)
			}
			return out, err
		}
		c.setDialect(dialectAuthMAC)
	}
	out, err := c.parsed(ctx, authSessionsMAC(dm))
	if err == nil {
		err = c.expectDetails(out)
	}
	return out, err
}

// ACLs reads show ip access-lists and show ipv6 access-lists.
func (c *Client) ACLs(ctx context.Context) ([]Output, error) {
	var outs []Output
	for _, cmd := range []string{CmdIPACLs, CmdIPv6ACLs} {
		out, err := c.parsed(ctx, cmd)
		if err != nil {
			return outs, err
		}
		if err := c.expect(out, ios.KindACLs); err != nil {
			return outs, err
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// Bindings reads the table that binds addresses to MACs, for sessions
// whose details show no address: show device-tracking database, else show
// ip device tracking all, else show ip arp.
func (c *Client) Bindings(ctx context.Context) (Output, error) {
	c.mu.Lock()
	b := c.bindings
	c.mu.Unlock()
	for _, k := range []struct {
		d    bindingsDialect
		cmd  string
		kind ios.Kind
	}{
		{bindingsDeviceTracking, CmdDeviceTracking, ios.KindDeviceTracking},
		{bindingsIPDeviceTracking, CmdIPDeviceTracking, ios.KindIPDeviceTracking},
		{bindingsARP, CmdIPARP, ios.KindARP},
	} {
		if b != bindingsUnknown && b != k.d {
			continue
		}
		out, err := c.parsed(ctx, k.cmd)
		if err == nil {
			c.mu.Lock()
			c.bindings = k.d
			c.mu.Unlock()
			return out, c.expect(out, k.kind)
		}
		if !invalidInput(err) || b != bindingsUnknown {
			return out, err
		}
	}
	return Output{}, c.cfg.err(ReasonCommandFailed, "bindings", fmt.Errorf("the switch knows none of %s, %s, %s", CmdDeviceTracking, CmdIPDeviceTracking, CmdIPARP))
}

func (c *Client) setDialect(d dialect) {
	c.mu.Lock()
	c.dialect = d
	c.mu.Unlock()
}

// expect checks that an output is of the kind its command prints (or
// blank): anything else means the session is out of step with the switch.
func (c *Client) expect(out Output, k ios.Kind) error {
	if out.Result.Kind == k || out.Result.Kind == ios.KindUnknown && isBlank(out.Text) {
		return nil
	}
	if k == ios.KindSessionSummary && out.Result.Kind == ios.KindSessionDetails {
		return nil
	}
	return c.cfg.err(ReasonParse, out.Command, fmt.Errorf("output is not what the command prints (read as %q)", out.Result.Kind))
}

// expectDetails accepts details, or the "No sessions match" answer.
func (c *Client) expectDetails(out Output) error {
	if out.Result.Kind == ios.KindSessionDetails || out.Result.Kind == ios.KindSessionSummary && len(out.Result.Summary) == 0 {
		return nil
	}
	if out.Result.Kind == ios.KindUnknown && (isBlank(out.Text) || containsFold(out.Text, "No sessions match")) {
		return nil
	}
	return c.cfg.err(ReasonParse, out.Command, fmt.Errorf("output is not session details (read as %q)", out.Result.Kind))
}
