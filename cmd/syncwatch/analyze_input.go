package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/internal/openfile"
)

// stdinArg is the file argument that reads standard input; stdinName names
// it in errors and in the report.
const (
	stdinArg  = "-"
	stdinName = "stdin"
)

// checkInputs refuses file arguments that analyze cannot read as given: the
// same file twice (the same path after cleaning, or another name for it,
// such as a link or standard input redirected from it), whose packets would
// all be counted as SPAN duplicates; standard input twice; standard input
// that is a terminal, which would wait for a capture that never comes.
func checkInputs(env *environment, paths []string) error {
	type seenFile struct {
		arg  string
		info os.FileInfo
	}
	var files []seenFile
	// add remembers a file argument, refusing another name for one before.
	add := func(arg string, fi os.FileInfo) error {
		for _, f := range files {
			if os.SameFile(f.info, fi) {
				return sameFileError(f.arg, arg)
			}
		}
		files = append(files, seenFile{arg, fi})
		return nil
	}
	byPath := map[string]string{}
	stdinSeen := false
	for _, p := range paths {
		if p == stdinArg {
			if stdinSeen {
				return usagef("- (standard input) given twice: it can be read only once")
			}
			stdinSeen = true
			if isTerminal(env.stdin) {
				return usagef("-: standard input is a terminal, not a capture: pipe one in (tcpdump -w - ... | syncwatch analyze -)")
			}
			if st, ok := env.stdin.(interface{ Stat() (os.FileInfo, error) }); ok {
				if fi, err := st.Stat(); err == nil {
					if err := add("- (standard input)", fi); err != nil {
						return err
					}
				}
			}
			continue
		}
		clean := filepath.Clean(p)
		if prev, ok := byPath[clean]; ok {
			return sameFileError(prev, p)
		}
		byPath[clean] = p
		// A file that cannot be examined is reported when it is opened.
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			if err := add(p, fi); err != nil {
				return err
			}
		}
	}
	return nil
}

func sameFileError(first, second string) error {
	what := first + " given twice"
	if first != second {
		what = first + " and " + second + " are the same file"
	}
	return usagef("%s: give each capture file once (read twice, each of its packets would count as a SPAN duplicate)", what)
}

// openInput opens one file argument; "-" reads standard input. It returns
// the source and the name that errors and the report give the input.
func openInput(ctx context.Context, env *environment, path string) (capture.Source, string, error) {
	if path != stdinArg {
		if info, err := os.Stat(path); err != nil || info.Mode()&fs.ModeNamedPipe == 0 {
			src, err := capture.OpenFileContext(ctx, path)
			return src, path, err
		}
		// A named pipe (mkfifo, <(tcpdump ...)) is read as standard
		// input is: its writer may stay open and quiet, and a signal
		// must still end the read.
		f, err := openfile.Open(ctx, path)
		if err != nil {
			return nil, path, fmt.Errorf("open capture file: %w", err)
		}
		src, err := capture.NewReader(interruptible(ctx, f), path)
		if err != nil {
			f.Close()
		}
		return src, path, err
	}
	var in io.Reader = env.stdin
	if in == nil {
		in = strings.NewReader("")
	}
	in = interruptible(ctx, in)
	// Errors name the input: "stdin: offset 0: empty file: ...".
	src, err := capture.NewReader(in, stdinName)
	return src, stdinName, err
}

// interruptible returns a reader of r whose reads fail with ctx's error
// once ctx ends, even while r blocks: a pipe whose writer stays open and
// quiet (a slow tcpdump) would otherwise hold the read, and the report,
// until it writes or closes. Each read of r runs on a goroutine of its
// own, into a buffer of the reader's; one blocked when ctx ends is left
// behind (the process is about to exit).
func interruptible(ctx context.Context, r io.Reader) io.Reader {
	return &interruptReader{ctx: ctx, r: r, res: make(chan readResult, 1)}
}

type interruptReader struct {
	ctx  context.Context
	r    io.Reader
	res  chan readResult
	buf  []byte
	busy bool // a read of r is in flight
}

type readResult struct {
	n   int
	err error
}

func (c *interruptReader) Read(p []byte) (int, error) {
	if !c.busy {
		if len(c.buf) < len(p) {
			c.buf = make([]byte, len(p))
		}
		buf := c.buf[:len(p)]
		c.busy = true
		go func() {
			n, err := c.r.Read(buf)
			c.res <- readResult{n, err}
		}()
	}
	select {
	case r := <-c.res:
		c.busy = false
		return copy(p, c.buf[:r.n]), r.err
	case <-c.ctx.Done():
		select {
		case r := <-c.res: // data that came with the signal is kept
			c.busy = false
			return copy(p, c.buf[:r.n]), r.err
		default:
		}
		return 0, context.Cause(c.ctx)
	}
}
