package ios

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Warning is a line a parser did not understand or a value it could not use;
// the caller adds the file name.
type Warning struct {
	Line    int    // 1-based line in the parsed text, 0 when it concerns the whole text
	Message string // what was wrong, quoting the offending text (shortened)
	// Platform is set on the one warning about another platform's output
	// (PlatformNXOS, ...): that output was not parsed.
	Platform string
}

// String formats the warning as "line N: message".
func (w Warning) String() string {
	if w.Line <= 0 {
		return w.Message
	}
	return fmt.Sprintf("line %d: %s", w.Line, w.Message)
}

// maxWarnings bounds the warnings of one parse so that a hostile or wrong
// input (a binary file, the wrong command) cannot produce one warning per
// line of a huge file; the rest are counted in a final warning.
const maxWarnings = 1000

// warnings collects a parser's warnings up to maxWarnings.
type warnings struct {
	list    []Warning
	dropped int
}

func (w *warnings) add(line int, format string, args ...any) {
	if len(w.list) >= maxWarnings {
		w.dropped++
		return
	}
	w.list = append(w.list, Warning{Line: line, Message: fmt.Sprintf(format, args...)})
}

// unknownLine records a line nobody understood.
func (w *warnings) unknownLine(line int, what, text string) {
	w.add(line, "%s: unrecognised line %s", what, quote(text))
}

func (w *warnings) result() []Warning {
	if w.dropped > 0 {
		out := append(w.list, Warning{Message: fmt.Sprintf("%d more warnings not shown", w.dropped)})
		w.list, w.dropped = nil, 0
		return out
	}
	out := w.list
	w.list = nil
	return out
}

// quote shortens s for a message (a 1 MB line must not make a 1 MB warning)
// and quotes it. The limit is on the quoted text, so a line of control
// characters or invalid bytes, each quoted as four, is cut as short.
func quote(s string) string {
	const max = 80
	s = strings.TrimSpace(s)
	q := strconv.Quote(s)
	if len(q) <= max+2 {
		return q
	}
	cut := min(len(s), max)
	for {
		for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if q = strconv.Quote(s[:cut]); len(q) <= max+2 || cut == 0 {
			return q + "..."
		}
		cut--
	}
}

// shift moves warnings parsed from an excerpt to the line numbers of the
// text the excerpt came from (first is the line number of the excerpt's
// first line).
func shift(ws []Warning, first int) []Warning {
	for i := range ws {
		if ws[i].Line > 0 {
			ws[i].Line += first - 1
		}
	}
	return ws
}
