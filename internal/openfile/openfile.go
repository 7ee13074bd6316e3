// Package openfile opens files for reading without hanging on a named pipe
// that no program writes to: opening one blocks until a writer comes, and
// the open gives up when the context ends.
package openfile

import (
	"context"
	"fmt"
	"io/fs"
	"os"
)

// Open opens path for reading, as os.Open does. When path is a named pipe
// (a FIFO, or /dev/fd/N of a shell's process substitution), the open waits
// for a writer until ctx ends, and then fails with an error that wraps
// ctx's error and says what it waited for. The open left waiting closes
// the file if a writer comes later.
func Open(ctx context.Context, path string) (*os.File, error) {
	if info, err := os.Stat(path); err != nil || info.Mode()&fs.ModeNamedPipe == 0 {
		return os.Open(path)
	}
	type result struct {
		f   *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.f != nil {
				r.f.Close()
			}
		}()
		return nil, fmt.Errorf("open %s: no program writes to the pipe: %w", path, ctx.Err())
	}
}
