package alerts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// jsonLogBatch bounds the lines of one write.
const jsonLogBatch = 256

// JSONLogConfig configures the JSON log.
type JSONLogConfig struct {
	// Path is the file the lines are appended to; "" or "-" is the
	// writer given to NewJSONLog (stdout).
	Path string
	// QueueSize bounds the lines waiting to be written (DefaultQueueSize).
	QueueSize int
	Retry     RetryPolicy
	Now       func() time.Time
	Logger    *slog.Logger
}

// JSONLog is the sink that writes one JSON line per notification, every
// severity included: {"status", "at", "finding"} (Notification.MarshalJSON).
// A file is opened for appending and reopened by Reopen, after a log
// rotation moved it away (SIGHUP).
type JSONLog struct {
	path string
	log  *slog.Logger

	mu sync.Mutex
	w  io.Writer
	f  *os.File // nil when writing to a stream the log does not own

	queue *sinkQueue[[]byte]
}

// NewJSONLog starts the JSON log: on stdout when cfg.Path is "" or "-",
// else on the file (created with mode 0640 if absent).
func NewJSONLog(cfg JSONLogConfig, stdout io.Writer, m *SinkMetrics) (*JSONLog, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &JSONLog{log: cfg.Logger.With("sink", "jsonlog")}
	peer := "stdout"
	if cfg.Path != "" && cfg.Path != "-" {
		l.path, peer = cfg.Path, cfg.Path
		f, err := openLogFile(cfg.Path)
		if err != nil {
			return nil, err
		}
		l.f, l.w = f, f
	} else {
		if stdout == nil {
			return nil, errors.New("json log: no writer for stdout")
		}
		l.w = stdout
	}
	l.queue = newSinkQueue(queueConfig{
		sink: "jsonlog", peer: peer,
		capacity: cfg.QueueSize, maxBatch: jsonLogBatch, retry: cfg.Retry,
		metrics: m, log: cfg.Logger, now: cfg.Now,
	}, l.write)
	return l, nil
}

func openLogFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("json log: %w", err)
	}
	return f, nil
}

// write writes a batch of lines in one call, so that a reader never sees
// half a line from us.
func (l *JSONLog) write(_ context.Context, lines [][]byte) error {
	n := 0
	for _, b := range lines {
		n += len(b)
	}
	buf := make([]byte, 0, n)
	for _, b := range lines {
		buf = append(buf, b...)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(buf); err != nil {
		return &deliveryError{reason: reasonWrite, msg: err.Error()}
	}
	return nil
}

// Name returns "jsonlog".
func (l *JSONLog) Name() string { return "jsonlog" }

// Send queues the notification's line.
func (l *JSONLog) Send(n Notification) {
	b, err := n.MarshalJSON()
	if err != nil {
		l.log.Error("notification not logged: encoding failed", "key", n.Finding.Key, "error", err)
		l.queue.metrics.drop(reasonOther, 1)
		return
	}
	l.queue.put("", append(b, '\n'))
}

// Reopen closes the file and opens its path again, so that lines go to a
// new file after a rotation renamed the old one. Lines not yet written
// go to the new file. For stdout it does nothing.
func (l *JSONLog) Reopen() error {
	if l.path == "" {
		return nil
	}
	f, err := openLogFile(l.path)
	if err != nil {
		// Keep writing to the old file rather than losing lines.
		return err
	}
	l.mu.Lock()
	old := l.f
	if old == nil {
		l.mu.Unlock()
		f.Close()
		return errors.New("json log: reopened after Close")
	}
	l.f, l.w = f, f
	l.mu.Unlock()
	if err := old.Close(); err != nil {
		return fmt.Errorf("json log: closing the previous file: %w", err)
	}
	return nil
}

// Close writes what waits until ctx ends, then closes the file.
func (l *JSONLog) Close(ctx context.Context) error {
	err := l.queue.close(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		if cerr := l.f.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("json log: %w", cerr))
		}
		l.f = nil
		l.w = io.Discard
	}
	return err
}
