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
// backspaces or bare carriage returns (the pager's "--More--" erased by
// backspaces, progress lines rewritten in place) and drops a "--More--"
// left at the start of a line; other text is returned as is.
func cleanTerminal(text string) string {
	if !strings.Contains(text, "--More--") && strings.IndexByte(text, '\b') < 0 && !hasInnerCR(text) {
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
		if strings.HasPrefix(s, "--More--") {
			line = trim(s[len("--More--"):])
		} else {
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

// replayLine writes into buf what a terminal displays for line: a
// backspace moves the cursor left, a carriage return to the start, other
// bytes overwrite at the cursor.
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
