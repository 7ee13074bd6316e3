package ios

import "strings"

// lines walks a text line by line without copying it; a trailing "\r" (CRLF
// files, terminal loggers) is not part of the line.
type lines struct {
	text string
	pos  int
	num  int
}

func newLines(text string) lines { return lines{text: text} }

// next returns the next line and its 1-based number.
func (l *lines) next() (line string, num int, ok bool) {
	if l.pos >= len(l.text) {
		return "", 0, false
	}
	rest := l.text[l.pos:]
	end := strings.IndexByte(rest, '\n')
	if end < 0 {
		line = rest
		l.pos = len(l.text)
	} else {
		line = rest[:end]
		l.pos += end + 1
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	l.num++
	return line, l.num, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// trim removes spaces, TABs and line ends at both ends (switch output
// pasted from e-mail or a terminal logger mixes them).
func trim(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// isBlank reports whether s holds only spaces and TABs.
func isBlank(s string) bool { return trim(s) == "" }

// firstField splits s (already trimmed) into its first whitespace-separated
// word and the trimmed rest.
func firstField(s string) (word, rest string) {
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return s[:i], trim(s[i:])
}

// lastField splits s (already trimmed) into the trimmed text before its last
// word and that word.
func lastField(s string) (rest, word string) {
	i := len(s)
	for i > 0 && !isSpace(s[i-1]) {
		i--
	}
	return trim(s[:i]), s[i:]
}

// fields is strings.Fields for spaces and TABs, appending to dst so that a
// caller can reuse one slice for every line.
func fields(dst []string, s string) []string {
	dst = dst[:0]
	i := 0
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		if i > start {
			dst = append(dst, s[start:i])
		}
	}
	return dst
}

// collapse returns s trimmed with every run of spaces and TABs replaced by
// one space; it returns s itself when nothing changes.
func collapse(s string) string {
	s = trim(s)
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if i+1 < len(s) && isSpace(s[i+1]) {
				clean = false
				break
			}
		} else if isSpace(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isRule reports whether s is a ruler of dashes (or "-----+-----" table
// rulers), used as separators between sessions and under table headers.
func isRule(s string) bool {
	s = trim(s)
	if len(s) < 4 {
		return false
	}
	dashes := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '-':
			dashes++
		case '+', ' ', '\t', '=':
		default:
			return false
		}
	}
	return dashes >= 4
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi parses a non-negative decimal of at most 18 digits, so that it never
// overflows; ok is false for anything else.
func atoi(s string) (n int64, ok bool) {
	if !isDigits(s) || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// containsFold is strings.Contains ignoring ASCII case, for short needles in
// one line (linear: one EqualFold per start position of a short needle).
func containsFold(s, needle string) bool {
	n := len(needle)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], needle) {
			return true
		}
	}
	return false
}

// isUnknownValue reports whether a value is the switch's way of saying it has
// none ("Unknown", "(unknown)", "UNKNOWN").
func isUnknownValue(s string) bool {
	return strings.EqualFold(s, "unknown") || strings.EqualFold(s, "(unknown)")
}

// known returns s, or "" when s is one of the switch's "unknown" spellings.
func known(s string) string {
	if isUnknownValue(s) {
		return ""
	}
	return s
}
