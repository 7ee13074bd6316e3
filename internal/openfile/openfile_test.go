package openfile

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestOpenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(path, []byte("text"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	f.Close()
	if err != nil || string(b) != "text" {
		t.Errorf("read %q, %v", b, err)
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestOpenPipeWithoutWriter: the open of a pipe nobody writes to ends
// with the context, and one with a writer reads what it writes.
func TestOpenPipeWithoutWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := Open(ctx, path)
	if !errors.Is(err, context.DeadlineExceeded) || err.Error() != "open "+path+": no program writes to the pipe: context deadline exceeded" {
		t.Fatalf("open without a writer: %v", err)
	}
	// The open left waiting takes this writer and closes its end; open
	// the pipe for writing without blocking until that reader is there.
	var w *os.File
	for i := 0; i < 100 && w == nil; i++ {
		if w, err = os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err != nil {
			w = nil
			time.Sleep(10 * time.Millisecond)
		}
	}
	if w == nil {
		t.Fatal("the open left waiting never took a writer")
	}
	w.Close()
	// Wait until it closed its end: a writer opened earlier would pair
	// with it rather than with the next open.
	for i := 0; ; i++ {
		w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if errors.Is(err, syscall.ENXIO) {
			break
		}
		if err == nil {
			w.Close()
		}
		if i == 100 {
			t.Fatal("the open left waiting never closed the pipe")
		}
		time.Sleep(10 * time.Millisecond)
	}

	go func() {
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		w.Write([]byte("from the writer"))
		w.Close()
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	f, err := Open(ctx2, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b, err := io.ReadAll(f); err != nil || string(b) != "from the writer" {
		t.Errorf("read %q, %v", b, err)
	}
}
