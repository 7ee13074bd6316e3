package ios

import "strings"

// Command is one command of a saved terminal session and the output that
// followed it.
type Command struct {
	Switch     string // the switch name from the prompt ("SW1" of "SW1#"); empty for text before the first prompt
	Prompt     string // the prompt as printed ("SW1#", "SW1(config)#", "SW1>")
	Command    string // the command as typed, a tail the terminal wrapped onto the next line joined to it
	Output     string // the lines between the command and the next prompt
	Line       int    // line of the prompt in the transcript
	OutputLine int    // line of the output's first line in the transcript
}

// SplitTranscript splits a saved terminal session (prompts and commands
// followed by their output, as engineers save them with a terminal logger)
// into commands, by prompt detection. Text before the first prompt is
// returned as a command with no prompt, so that a file holding one bare
// output can still be parsed. Paging leftovers ("--More--" and the
// backspaces that erase it) and carriage returns are cleaned up first, line
// numbers unchanged.
//
// A line counts as a prompt when it is "HOST#", "HOST>" or "HOST(mode)#",
// optionally followed by a command, and either HOST is the switch already
// seen or the command is one an engineer types at a prompt (show, terminal,
// ssh, ...): that keeps a line of output such as "a>b" from splitting a
// command, yet follows an engineer who hops to another switch.
func SplitTranscript(text string) ([]Command, []Warning) {
	text = cleanTerminal(text)
	var (
		out      []Command
		cur      *Command
		outStart = 0 // byte offset of the current output
		host     string
		pos      int
		num      int
		pending  bool // the previous line was a prompt: a wrapped tail may follow
	)
	closeCur := func(end int) {
		if cur == nil {
			return
		}
		if outStart < end {
			cur.Output = strings.TrimRight(text[outStart:end], "\r\n")
		}
		out = append(out, *cur)
		cur = nil
	}
	for pos < len(text) {
		start := pos
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
			pos = len(text)
		} else {
			end += pos
			pos = end + 1
		}
		num++
		line := strings.TrimSuffix(text[start:end], "\r")
		if pending && cur != nil && isCommandContinuation(line) {
			cur.Command += " " + trim(line)
			outStart, pending = pos, false
			cur.OutputLine = num + 1
			continue
		}
		pending = false
		p, ok := parsePrompt(line)
		if ok && (host == "" || p.host == host || isExecCommand(p.command)) {
			if cur == nil && start > 0 && !isBlank(text[:start]) {
				out = append(out, Command{Output: strings.TrimRight(text[:start], "\r\n"), Line: 1, OutputLine: 1})
			}
			closeCur(start)
			host = p.host
			cur = &Command{Switch: p.host, Prompt: p.text, Command: p.command, Line: num, OutputLine: num + 1}
			outStart, pending = pos, true
			continue
		}
	}
	if cur == nil {
		if !isBlank(text) {
			out = append(out, Command{Output: strings.TrimRight(text, "\r\n"), Line: 1, OutputLine: 1})
		}
		return out, nil
	}
	closeCur(len(text))
	return out, nil
}

// isExecCommand reports whether cmd starts with a command an engineer types
// at an exec prompt.
func isExecCommand(cmd string) bool {
	w, _ := firstField(cmd)
	if len(w) < 2 {
		return false
	}
	for _, k := range [...]string{"show", "terminal", "enable", "disable", "exit", "logout",
		"ssh", "telnet", "ping", "traceroute", "configure", "end", "dir", "more", "copy",
		"write", "clear", "debug", "undebug", "test", "reload", "login"} {
		if hasPrefixFold(k, w) {
			return true
		}
	}
	return false
}

// cleanTerminal replays what a terminal shows for lines that hold
// backspaces, bare carriage returns or ANSI escape sequences (the pager's
// "--More--" erased by backspaces, progress lines rewritten in place, a
// coloured prompt of a jump host, PuTTY's and SecureCRT's raw logs) and
// drops a "--More--" left at the start of a line. It blanks the syslog
// messages that console logging or `terminal monitor` prints amid an
// output ("*Dec  4 10:00:01.123: %DOT1X-5-SUCCESS: ..."), and drops a UTF-8
// byte order mark at the start of the text (a log saved by a Windows
// editor), PuTTY's "=~=~=~= PuTTY log DATE =~=~=~=" lines and the
// "[timestamp] " a terminal logger writes before every line (SecureCRT's and MobaXterm's per-line timestamps). Line numbers do
// not change; other text is returned as is.
func cleanTerminal(text string) string {
	text = strings.TrimPrefix(text, "\ufeff")
	text = blankPuTTYHeaders(text)
	if stampedLog(text) {
		text = stripStamps(text)
	}
	if !strings.Contains(text, "--More--") && strings.IndexByte(text, '\b') < 0 && strings.IndexByte(text, esc) < 0 &&
		!hasInnerCR(text) && !strings.Contains(text, ": %") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	ls := newLines(text)
	first := true
	var buf []byte
	for {
		line, _, ok := ls.next()
		if !ok {
			break
		}
		if !first {
			b.WriteByte('\n')
		}
		first = false
		buf = replayLine(buf[:0], line)
		s := trim(string(buf))
		switch {
		case strings.HasPrefix(s, "--More--"):
			line = trim(s[len("--More--"):])
		case isSyslog(s):
			line = "" // a log message the console printed amid the output
		default:
			line = string(buf)
		}
		b.WriteString(line)
	}
	if strings.HasSuffix(text, "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}

// hasInnerCR reports whether text has a carriage return that does not end a
// line.
func hasInnerCR(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] == '\r' && i+1 < len(text) && text[i+1] != '\n' {
			return true
		}
	}
	return false
}

// esc starts an ANSI escape sequence.
const esc = 0x1b

// replayLine writes into buf what a terminal displays for line: a
// backspace moves the cursor left, a carriage return to the start, an ANSI
// escape sequence moves the cursor (CSI n D, n C), erases to the end of the
// line (CSI K) or, like colours, shows nothing; other bytes overwrite at the
// cursor.
func replayLine(buf []byte, line string) []byte {
	cursor := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '\b':
			if cursor > 0 {
				cursor--
			}
		case '\r':
			cursor = 0
		case esc:
			var final byte
			var n int
			i, final, n = escapeSequence(line, i)
			switch final {
			case 'D':
				cursor = max(cursor-max(n, 1), 0)
			case 'C':
				cursor = min(cursor+max(n, 1), len(buf))
			case 'K':
				if n == 0 && cursor < len(buf) {
					buf = buf[:cursor]
				}
			}
		default:
			if cursor < len(buf) {
				buf[cursor] = c
			} else {
				buf = append(buf, c)
			}
			cursor++
		}
	}
	return buf
}

// escapeSequence skips the ANSI escape sequence starting at line[i] (ESC)
// and returns the index of its last byte, the final byte of a CSI sequence
// ("ESC [ params final"; 0 for other sequences) and its first numeric
// parameter (0 when absent). OSC sequences ("ESC ] ... BEL" or "ESC ] ...
// ESC \") and two- or three-byte ones ("ESC ( B", "ESC =") are skipped
// whole; a sequence cut by the end of the line ends there.
func escapeSequence(line string, i int) (last int, final byte, n int) {
	j := i + 1
	if j >= len(line) {
		return i, 0, 0
	}
	switch line[j] {
	case '[':
		first := true
		for j++; j < len(line); j++ {
			c := line[j]
			switch {
			case c >= '0' && c <= '9':
				if first && n < 1<<16 {
					n = n*10 + int(c-'0')
				}
			case c >= 0x20 && c <= 0x3f:
				first = false
				// ";" and the other parameter or intermediate bytes
			case c >= 0x40 && c <= 0x7e:
				return j, c, n
			default:
				return j - 1, 0, 0 // not a CSI byte: the sequence ends before it
			}
		}
		return len(line) - 1, 0, 0
	case ']':
		for j++; j < len(line); j++ {
			if line[j] == 0x07 {
				return j, 0, 0
			}
			if line[j] == esc && j+1 < len(line) && line[j+1] == '\\' {
				return j + 1, 0, 0
			}
		}
		return len(line) - 1, 0, 0
	}
	for j < len(line) && line[j] >= 0x20 && line[j] <= 0x2f {
		j++ // intermediate bytes of "ESC ( B"
	}
	if j < len(line) && line[j] >= 0x30 && line[j] <= 0x7e {
		return j, 0, 0
	}
	return j - 1, 0, 0
}

// stampLen returns the length of a logger's "[timestamp] " at the start of
// line (a bracketed text of 8 to 40 bytes holding a digit and a colon, and
// one space after it), or 0.
func stampLen(line string) int {
	if len(line) < 10 || line[0] != '[' {
		return 0
	}
	end := strings.IndexByte(line[:min(len(line), 42)], ']')
	if end < 9 {
		return 0
	}
	inner := line[1:end]
	if !strings.ContainsRune(inner, ':') || !strings.ContainsAny(inner, "0123456789") || strings.ContainsAny(inner, "[\n") {
		return 0
	}
	n := end + 1
	if n < len(line) && line[n] == ' ' {
		n++
	}
	return n
}

// stampedLog reports whether every non-blank line among the first 50 of
// text starts with a logger's timestamp.
func stampedLog(text string) bool {
	if len(text) == 0 || text[0] != '[' {
		return false
	}
	ls := newLines(text)
	seen := 0
	for seen < 50 {
		line, _, ok := ls.next()
		if !ok {
			break
		}
		if isBlank(line) {
			continue
		}
		if stampLen(line) == 0 {
			return false
		}
		seen++
	}
	return seen > 0
}

// stripStamps removes the logger's timestamp from every line that has one,
// keeping the lines where they are.
func stripStamps(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for len(text) > 0 {
		end := strings.IndexByte(text, '\n')
		line := text
		if end >= 0 {
			line = text[:end+1]
		}
		text = text[len(line):]
		b.WriteString(line[stampLen(line):])
	}
	return b.String()
}

// isSyslog reports whether a trimmed line is an IOS log message: an
// optional sequence number ("000123: "), a timestamp holding hh:mm:ss, then
// ": %FACILITY-SEVERITY-MNEMONIC:" ("%DOT1X-5-SUCCESS:",
// "%LINEPROTO-5-UPDOWN:", "%SYS-5-CONFIG_I:").
func isSyslog(s string) bool {
	i := strings.Index(s, ": %")
	if i < 8 || i > 60 || !hasClock(s[:i]) {
		return false
	}
	rest := s[i+3:]
	end := strings.IndexByte(rest, ':')
	if end < 0 {
		return false
	}
	parts := strings.Split(rest[:end], "-")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for j := 0; j < len(p); j++ {
			if c := p[j]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
	}
	sev := parts[len(parts)-2]
	return len(sev) == 1 && sev[0] >= '0' && sev[0] <= '7'
}

// hasClock reports whether s holds a time of day "hh:mm:ss".
func hasClock(s string) bool {
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; i+8 <= len(s); i++ {
		if digit(s[i]) && digit(s[i+1]) && s[i+2] == ':' && digit(s[i+3]) && digit(s[i+4]) && s[i+5] == ':' && digit(s[i+6]) && digit(s[i+7]) {
			return true
		}
	}
	return false
}

// puttyHeader starts the line PuTTY writes each time it opens a log file.
const puttyHeader = "=~=~=~=~=~=~=~=~=~=~=~= PuTTY log "

// blankPuTTYHeaders empties PuTTY's log header lines, keeping the lines
// where they are.
func blankPuTTYHeaders(text string) string {
	if !strings.Contains(text, puttyHeader) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for len(text) > 0 {
		end := strings.IndexByte(text, '\n')
		line := text
		if end >= 0 {
			line = text[:end+1]
		}
		text = text[len(line):]
		if strings.HasPrefix(line, puttyHeader) {
			if end >= 0 {
				b.WriteByte('\n')
			}
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}
