package ios

// What a terminal adds around a command's output: the prompt with the
// command, its echo, a command wrapped onto a second line, and the "Load for
// five secs" / "Time source" banner of `exec prompt timestamp`. Every parser
// treats these lines as understood. (Paging leftovers are cleaned up by
// SplitTranscript, which sees the raw session.)

// prompt is an IOS prompt found at the start of a line.
type prompt struct {
	host    string // the switch name, without a "(config...)" mode
	text    string // the prompt itself, as printed ("SW1#", "Switch(config)#")
	command string // what follows the prompt, trimmed
}

// parsePrompt recognises "HOST#", "HOST>" and "HOST(mode)#" at the start of
// a line (after indentation), followed by nothing or a command.
func parsePrompt(line string) (prompt, bool) {
	s := trim(line)
	end := -1
	paren := 0
	for i := 0; i < len(s) && i < 80; i++ {
		c := s[i]
		switch {
		case c == '#' || c == '>':
			if paren == 0 {
				end = i
			}
		case c == '(':
			paren++
			continue
		case c == ')':
			paren--
			if paren < 0 {
				return prompt{}, false
			}
			continue
		case isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '@':
			continue
		case c == ' ' && paren > 0:
			continue
		default:
			return prompt{}, false
		}
		break
	}
	if end <= 0 || !(isLetter(s[0]) || s[0] >= '0' && s[0] <= '9') {
		return prompt{}, false
	}
	host := s[:end]
	if i := indexByte(host, '('); i >= 0 {
		host = host[:i]
	}
	if host == "" {
		return prompt{}, false
	}
	cmd := trim(s[end+1:])
	// A prompt is followed by nothing or by a command word; "a>b" inside
	// output is not a prompt.
	if cmd != "" && !isLetter(cmd[0]) {
		return prompt{}, false
	}
	return prompt{host: host, text: s[:end+1], command: cmd}, true
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// isEcho reports whether a line is a prompt (with or without a command) or
// a bare echoed show command, as genie and terminal loggers save them.
func isEcho(line string) bool {
	if _, ok := parsePrompt(line); ok {
		return true
	}
	w, _ := firstField(trim(line))
	return isShowWord(w)
}

// isShowWord reports whether w abbreviates "show" the way IOS accepts it.
func isShowWord(w string) bool {
	return len(w) >= 2 && len(w) <= 4 && hasPrefixFold("show", w)
}

// isCommandContinuation reports whether a line is the tail of a command that
// the terminal wrapped onto the next line (genie saved
// "...interface GigabitEthernet1/0/6" and "details" on two lines).
func isCommandContinuation(line string) bool {
	w, rest := firstField(trim(line))
	if rest != "" {
		return false
	}
	for _, k := range [...]string{"details", "detail", "brief", "info"} {
		if len(w) >= 3 && hasPrefixFold(k, w) {
			return true
		}
	}
	return false
}

// isBanner reports whether a line is part of the `exec prompt timestamp`
// banner that IOS prints before a command's output.
func isBanner(line string) bool {
	s := trim(line)
	return hasPrefixFold(s, "Load for five secs:") || hasPrefixFold(s, "Time source is ")
}

// terminalNoise reports whether a line is one a parser need not understand:
// blank, a prompt or echoed command, a wrapped command tail following one,
// or a banner. prevEcho is whether the previous non-blank line was an echo.
func terminalNoise(line string, prevEcho bool) (noise, echo bool) {
	if isBlank(line) {
		return true, prevEcho
	}
	if isEcho(line) {
		return true, true
	}
	if prevEcho && isCommandContinuation(line) {
		return true, false
	}
	if isBanner(line) {
		return true, false
	}
	return false, false
}
