package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Defaults of the delivery queues.
const (
	DefaultQueueSize        = 10_000
	DefaultDeliveryRetryMin = 250 * time.Millisecond
	// DefaultDeliveryRetryMax bounds the backoff, and so how long a peer
	// that came back waits for what was queued for it.
	DefaultDeliveryRetryMax = 5 * time.Second
)

// RetryPolicy says how long a queue waits after a failed delivery: Min,
// doubled after each further failure up to Max, each wait drawn between
// half and all of that (jitter, so that sensors that lost the same peer
// do not retry in step).
type RetryPolicy struct {
	Min time.Duration
	Max time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Min <= 0 {
		p.Min = DefaultDeliveryRetryMin
	}
	if p.Max <= 0 {
		p.Max = DefaultDeliveryRetryMax
	}
	if p.Max < p.Min {
		p.Max = p.Min
	}
	return p
}

// wait returns the wait after the n-th consecutive failure (n >= 1).
func (p RetryPolicy) wait(n int) time.Duration {
	d := p.Min
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	return d/2 + rand.N(d/2+1)
}

// deliveryError is a failed delivery: why (a metric's reason label), and
// whether retrying can help. Its message never holds a URL or a secret.
type deliveryError struct {
	reason    string
	permanent bool
	msg       string
}

func (e *deliveryError) Error() string { return e.msg }

// asDeliveryError classifies any error a deliver function returns.
func asDeliveryError(err error) *deliveryError {
	var de *deliveryError
	if errors.As(err, &de) {
		return de
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &deliveryError{reason: reasonTimeout, msg: err.Error()}
	}
	return &deliveryError{reason: reasonOther, msg: err.Error()}
}

// queued is one notification waiting for a peer.
type queued[T any] struct {
	key      string
	v        T
	inflight bool
}

// sinkQueue holds what one peer of a sink has yet to receive and delivers
// it from its own goroutine, oldest first, in batches of at most maxBatch.
// A failed delivery is retried after a backoff; what arrives meanwhile
// waits behind it, so a peer that comes back gets everything at once,
// without waiting for anything else (a resend tick). Put never blocks.
//
// An item with a key replaces a waiting item with the same key, in its
// place: an alert's latest state is all Alertmanager needs, so a peer that
// is down for an hour costs one slot per alert, not one per resend.
type sinkQueue[T any] struct {
	sink, peer string
	capacity   int
	maxBatch   int
	retry      RetryPolicy
	deliver    func(ctx context.Context, batch []T) error
	recovered  func(delivered map[string]bool)
	metrics    *peerMetrics
	log        *slog.Logger
	now        func() time.Time

	mu      sync.Mutex
	items   []*queued[T]
	byKey   map[string]*queued[T]
	closing bool

	wake   chan struct{} // one pending signal: items arrived or closing
	ctx    context.Context
	abort  context.CancelFunc // Close's deadline passed: stop now
	done   chan struct{}
	closed sync.Once
	result error // halt's
}

// queueConfig is what a sink tells its queues.
type queueConfig struct {
	sink, peer string
	capacity   int
	maxBatch   int
	retry      RetryPolicy
	metrics    *SinkMetrics
	log        *slog.Logger
	now        func() time.Time
	// recovered, when set, is called from the queue's goroutine after a
	// delivery succeeded that followed failures, with the keys it
	// delivered: the peer is back, and may have lost what it had before
	// (a restarted Alertmanager keeps no alerts).
	recovered func(delivered map[string]bool)
}

// newSinkQueue starts a queue that hands batches to deliver.
func newSinkQueue[T any](c queueConfig, deliver func(ctx context.Context, batch []T) error) *sinkQueue[T] {
	if c.capacity <= 0 {
		c.capacity = DefaultQueueSize
	}
	if c.maxBatch <= 0 {
		c.maxBatch = 1
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &sinkQueue[T]{
		sink: c.sink, peer: c.peer,
		capacity: c.capacity, maxBatch: c.maxBatch,
		retry:     c.retry.withDefaults(),
		deliver:   deliver,
		recovered: c.recovered,
		metrics:   c.metrics.peer(c.sink, c.peer, c.capacity),
		log:       c.log.With("sink", c.sink, "peer", c.peer),
		now:       c.now,
		byKey:     map[string]*queued[T]{},
		wake:      make(chan struct{}, 1),
		ctx:       ctx, abort: cancel,
		done: make(chan struct{}),
	}
	go q.run()
	return q
}

// put queues v; false when the queue is full or closing (counted).
func (q *sinkQueue[T]) put(key string, v T) bool {
	q.mu.Lock()
	if q.closing {
		q.mu.Unlock()
		q.metrics.refused.Inc()
		return false
	}
	if e := q.byKey[key]; key != "" && e != nil && !e.inflight {
		e.v = v
		q.mu.Unlock()
		return true
	}
	if len(q.items) >= q.capacity {
		q.mu.Unlock()
		q.metrics.refused.Inc()
		return false
	}
	e := &queued[T]{key: key, v: v}
	q.items = append(q.items, e)
	if key != "" {
		q.byKey[key] = e
	}
	q.metrics.queueLength.Set(float64(len(q.items)))
	q.mu.Unlock()
	q.signal()
	return true
}

func (q *sinkQueue[T]) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// len returns how many items wait, those being delivered included.
func (q *sinkQueue[T]) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// next marks the oldest items in flight and returns them; nil when
// there are none.
func (q *sinkQueue[T]) next() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.items), q.maxBatch)
	if n == 0 {
		return nil
	}
	batch := make([]T, n)
	for i, e := range q.items[:n] {
		e.inflight = true
		batch[i] = e.v
	}
	return batch
}

// keys returns the keys of the n items in flight.
func (q *sinkQueue[T]) keys(n int) map[string]bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string]bool, n)
	for _, e := range q.items[:n] {
		out[e.key] = true
	}
	return out
}

// finish removes the n items in flight (delivered or given up) or puts
// them back to wait (to be retried).
func (q *sinkQueue[T]) finish(n int, remove bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !remove {
		// Back to wait, but an item whose key was put again while it was
		// in flight is stale: the newer state waits behind it, and only
		// that one is sent.
		kept := q.items[:0]
		for i, e := range q.items {
			if i < n && e.key != "" && q.byKey[e.key] != e {
				continue
			}
			e.inflight = false
			kept = append(kept, e)
		}
		clear(q.items[len(kept):])
		q.items = kept
		q.metrics.queueLength.Set(float64(len(q.items)))
		return
	}
	for i, e := range q.items[:n] {
		if q.byKey[e.key] == e {
			delete(q.byKey, e.key)
		}
		q.items[i] = nil
	}
	q.items = q.items[n:]
	if len(q.items) == 0 {
		// Let the backing array go: a long outage may have grown it.
		q.items = nil
	}
	q.metrics.queueLength.Set(float64(len(q.items)))
}

func (q *sinkQueue[T]) run() {
	defer close(q.done)
	failures := 0
	var lastReason string
	for {
		batch := q.next()
		if batch == nil {
			q.mu.Lock()
			closing := q.closing
			q.mu.Unlock()
			if closing {
				return
			}
			select {
			case <-q.wake:
			case <-q.ctx.Done():
				return
			}
			continue
		}
		start := q.now()
		err := q.deliver(q.ctx, batch)
		took := q.now().Sub(start)
		if err == nil {
			var delivered map[string]bool
			if failures > 0 && q.recovered != nil {
				delivered = q.keys(len(batch))
			}
			q.finish(len(batch), true)
			q.metrics.success(len(batch), took, q.now())
			if failures > 0 {
				q.log.Info("delivery recovered", "after_failures", failures)
				if q.recovered != nil {
					q.recovered(delivered)
				}
			}
			failures, lastReason = 0, ""
			continue
		}
		if q.ctx.Err() != nil {
			q.finish(len(batch), false)
			return
		}
		de := asDeliveryError(err)
		q.metrics.failure(de.reason, took)
		if de.permanent {
			q.finish(len(batch), true)
			q.metrics.drop(reasonRejected, len(batch))
			q.log.Error("delivery rejected: notifications dropped", "notifications", len(batch), "reason", de.reason, "error", de.msg)
			continue
		}
		q.finish(len(batch), false)
		failures++
		wait := q.retry.wait(failures)
		// The first failure, every tenth and one whose reason changed
		// (a peer that comes back refusing the credentials) are logged:
		// an outage of an hour is a handful of lines, not thousands.
		if failures == 1 || failures%10 == 0 || de.reason != lastReason {
			q.log.Warn("delivery failed; retrying", "failures", failures, "reason", de.reason, "error", de.msg, "queued", q.len(), "retry_in", wait.String())
		}
		lastReason = de.reason
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-q.ctx.Done():
			t.Stop()
			return
		}
	}
}

// takeOver queues vs, oldest first, ahead of the items that wait (behind
// those in flight), as many as fit; it returns how many.
func (q *sinkQueue[T]) takeOver(vs []T) int {
	q.mu.Lock()
	if q.closing {
		q.mu.Unlock()
		return 0
	}
	k := 0
	for k < len(q.items) && q.items[k].inflight {
		k++
	}
	n := min(len(vs), q.capacity-len(q.items))
	if n <= 0 {
		q.mu.Unlock()
		return 0
	}
	add := make([]*queued[T], n)
	for i := range add {
		add[i] = &queued[T]{v: vs[i]}
	}
	q.items = slices.Concat(q.items[:k], add, q.items[k:])
	q.metrics.queueLength.Set(float64(len(q.items)))
	q.mu.Unlock()
	q.signal()
	return n
}

// remaining returns the items that wait, oldest first (after close: those
// not delivered).
func (q *sinkQueue[T]) remaining() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]T, 0, len(q.items))
	for _, e := range q.items {
		out = append(out, e.v)
	}
	return out
}

// close stops taking items and delivers what waits until ctx ends; what
// is left then is dropped (counted) and reported.
func (q *sinkQueue[T]) close(ctx context.Context) error {
	return q.halt(ctx, func(left []T) error {
		q.metrics.drop(reasonShutdown, len(left))
		return fmt.Errorf("%s %s: %d notifications not delivered before the shutdown deadline", q.sink, q.peer, len(left))
	})
}

// halt stops taking items and delivers what waits until ctx ends; then,
// when some were not delivered, keep gets them, oldest first, to keep
// elsewhere or count as dropped. Its error is halt's, then and at every
// later call.
func (q *sinkQueue[T]) halt(ctx context.Context, keep func(left []T) error) error {
	q.closed.Do(func() {
		q.mu.Lock()
		q.closing = true
		q.mu.Unlock()
		q.signal()
		select {
		case <-q.done:
		case <-ctx.Done():
			q.abort()
			<-q.done
		}
		q.abort()
		if left := q.remaining(); len(left) > 0 {
			q.result = keep(left)
		}
	})
	return q.result
}
