package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/syncwatch/syncwatch/internal/secret"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// batchRecorder is a deliver function that records batches and answers with
// what the test scripts: a gate to hold deliveries, errors to return.
type batchRecorder struct {
	mu      sync.Mutex
	batches [][]string
	errs    []error       // returned by the first calls, in order
	gate    chan struct{} // when not nil, deliveries wait until it is closed
	open    sync.Once
	calls   int
	got     chan struct{}
}

func newBatchRecorder() *batchRecorder { return &batchRecorder{got: make(chan struct{}, 1000)} }

// hold makes deliveries wait until release.
func (r *batchRecorder) hold() { r.gate = make(chan struct{}) }

func (r *batchRecorder) release() {
	if r.gate != nil {
		r.open.Do(func() { close(r.gate) })
	}
}

func (r *batchRecorder) deliver(ctx context.Context, batch []string) error {
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if len(r.errs) > 0 {
		err := r.errs[0]
		r.errs = r.errs[1:]
		if err != nil {
			return err
		}
	}
	r.batches = append(r.batches, append([]string(nil), batch...))
	r.got <- struct{}{}
	return nil
}

func (r *batchRecorder) wait(t *testing.T, n int) [][]string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		total := 0
		for _, b := range r.batches {
			total += len(b)
		}
		if total >= n {
			out := append([][]string(nil), r.batches...)
			r.mu.Unlock()
			return out
		}
		r.mu.Unlock()
		select {
		case <-r.got:
		case <-deadline:
			t.Fatalf("timed out waiting for %d items; have %v", n, r.batches)
		}
	}
}

var fastRetry = RetryPolicy{Min: time.Millisecond, Max: 2 * time.Millisecond}

func newTestQueue(t *testing.T, capacity, batch int, r *batchRecorder) (*sinkQueue[string], *SinkMetrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m, err := NewSinkMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	q := newSinkQueue(queueConfig{sink: "test", peer: "p", capacity: capacity, maxBatch: batch, retry: fastRetry, metrics: m}, r.deliver)
	t.Cleanup(func() {
		r.release()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.close(ctx)
	})
	return q, m, reg
}

func TestQueueDeliversInOrder(t *testing.T) {
	r := newBatchRecorder()
	r.hold()
	q, m, _ := newTestQueue(t, 10, 3, r)
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		if !q.put("", s) {
			t.Fatalf("put %s refused", s)
		}
	}
	r.release()
	got := r.wait(t, 5)
	var flat []string
	for _, b := range got {
		flat = append(flat, b...)
	}
	if !reflect.DeepEqual(flat, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("delivered %v", got)
	}
	for _, b := range got {
		if len(b) > 3 {
			t.Errorf("batch %v larger than 3", b)
		}
	}
	eventually(t, func() bool { return testutil.ToFloat64(m.notifications.WithLabelValues("test", "p")) == 5 })
	if n := testutil.ToFloat64(m.deliveries.WithLabelValues("test", "p")); n != float64(len(got)) {
		t.Errorf("deliveries = %v, batches %d", n, len(got))
	}
	if got := testutil.ToFloat64(m.queueLength.WithLabelValues("test", "p")); got != 0 {
		t.Errorf("queue length = %v", got)
	}
}

func (r *batchRecorder) delivered() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.batches
}

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestQueueFullRefusesAndCounts(t *testing.T) {
	r := newBatchRecorder()
	r.hold()
	q, m, _ := newTestQueue(t, 3, 1, r)
	var accepted []bool
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		accepted = append(accepted, q.put("", s))
	}
	if !reflect.DeepEqual(accepted, []bool{true, true, true, false, false}) {
		t.Errorf("accepted %v", accepted)
	}
	if got := testutil.ToFloat64(m.refused.WithLabelValues("test", "p")); got != 2 {
		t.Errorf("refused = %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.queueLength.WithLabelValues("test", "p")); got != 3 {
		t.Errorf("queue length = %v, want 3", got)
	}
	if got := testutil.ToFloat64(m.queueCapacity.WithLabelValues("test", "p")); got != 3 {
		t.Errorf("queue capacity = %v, want 3", got)
	}
}

func TestQueueReplacesWaitingItemWithSameKey(t *testing.T) {
	r := newBatchRecorder()
	r.hold()
	q, m, _ := newTestQueue(t, 2, 10, r)
	q.put("k1", "k1 v1")
	eventually(t, func() bool { // k1 v1 is in flight, held by the gate
		q.mu.Lock()
		defer q.mu.Unlock()
		return len(q.items) == 1 && q.items[0].inflight
	})
	// An item in flight is not replaced: the new state waits behind it.
	q.put("k1", "k1 v2")
	q.put("k1", "k1 v3") // replaces v2 in its place, taking no slot
	if q.put("k2", "k2 v1") {
		t.Error("k2 accepted beyond capacity 2 (k1 v1 in flight, k1 v3 waiting)")
	}
	q.put("k1", "k1 v4")
	r.release()
	got := r.wait(t, 2)
	want := [][]string{{"k1 v1"}, {"k1 v4"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	if got := testutil.ToFloat64(m.refused.WithLabelValues("test", "p")); got != 1 {
		t.Errorf("refused = %v", got)
	}
}

// TestQueueRetryDropsSupersededItem: an item whose key was put again while
// it was in flight, and whose delivery then failed, is not retried: the
// peer would get the stale state and then the new one (an alert firing
// again after its resolution, in the same breath).
func TestQueueRetryDropsSupersededItem(t *testing.T) {
	r := newBatchRecorder()
	r.hold()
	r.errs = []error{&deliveryError{reason: reasonHTTP5xx, msg: "HTTP 503"}}
	q, m, _ := newTestQueue(t, 10, 10, r)
	q.put("k1", "k1 firing")
	q.put("k2", "k2 firing")
	eventually(t, func() bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		return len(q.items) == 2 && q.items[0].inflight && q.items[1].inflight
	})
	q.put("k1", "k1 resolved")
	r.release()
	got := r.wait(t, 1)
	if want := [][]string{{"k2 firing", "k1 resolved"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	if got := testutil.ToFloat64(m.failures.WithLabelValues("test", "p", reasonHTTP5xx)); got != 1 {
		t.Errorf("failures = %v, want 1", got)
	}
	eventually(t, func() bool { return q.len() == 0 })
}

func TestQueueRetriesUntilDelivered(t *testing.T) {
	r := newBatchRecorder()
	r.errs = []error{
		&deliveryError{reason: reasonConnection, msg: "connection refused"},
		&deliveryError{reason: reasonHTTP5xx, msg: "HTTP 503"},
		context.DeadlineExceeded,
	}
	q, m, _ := newTestQueue(t, 10, 10, r)
	q.put("", "a")
	got := r.wait(t, 1)
	if !reflect.DeepEqual(got, [][]string{{"a"}}) {
		t.Errorf("delivered %v", got)
	}
	for reason, want := range map[string]float64{reasonConnection: 1, reasonHTTP5xx: 1, reasonTimeout: 1} {
		if got := testutil.ToFloat64(m.failures.WithLabelValues("test", "p", reason)); got != want {
			t.Errorf("failures{reason=%q} = %v, want %v", reason, got, want)
		}
	}
	eventually(t, func() bool { return testutil.ToFloat64(m.deliveries.WithLabelValues("test", "p")) == 1 })
	if ts := testutil.ToFloat64(m.lastSuccess.WithLabelValues("test", "p")); ts < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("last success = %v", ts)
	}
}

func TestQueueDropsWhatThePeerRejects(t *testing.T) {
	r := newBatchRecorder()
	r.errs = []error{&deliveryError{reason: reasonRejected, permanent: true, msg: "HTTP 400: bad"}}
	q, m, _ := newTestQueue(t, 10, 1, r)
	q.put("", "bad")
	q.put("", "good")
	got := r.wait(t, 1)
	if !reflect.DeepEqual(got, [][]string{{"good"}}) {
		t.Errorf("delivered %v", got)
	}
	if got := testutil.ToFloat64(m.dropped.WithLabelValues("test", "p", reasonRejected)); got != 1 {
		t.Errorf("dropped rejected = %v", got)
	}
}

func TestQueueCloseFlushesWithinDeadline(t *testing.T) {
	r := newBatchRecorder()
	r.errs = []error{errors.New("down"), errors.New("down"), errors.New("down")}
	q, _, _ := newTestQueue(t, 10, 1, r)
	q.put("", "a")
	q.put("", "b")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.delivered(); !reflect.DeepEqual(got, [][]string{{"a"}, {"b"}}) {
		t.Errorf("delivered %v", got)
	}
	if q.put("", "late") {
		t.Error("put after close accepted")
	}
}

func TestQueueCloseGivesUpAtDeadline(t *testing.T) {
	r := newBatchRecorder()
	r.hold() // a peer that never answers
	q, m, _ := newTestQueue(t, 10, 1, r)
	q.put("", "a")
	q.put("", "b")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := q.close(ctx)
	if err == nil || err.Error() != "test p: 2 notifications not delivered before the shutdown deadline" {
		t.Errorf("close: %v", err)
	}
	if got := testutil.ToFloat64(m.dropped.WithLabelValues("test", "p", reasonShutdown)); got != 2 {
		t.Errorf("dropped shutdown = %v", got)
	}
	// A second Close reports the same.
	if err2 := q.close(context.Background()); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("second close: %v", err2)
	}
}

func TestRetryPolicyWait(t *testing.T) {
	p := RetryPolicy{Min: 100 * time.Millisecond, Max: time.Second}.withDefaults()
	tests := []struct {
		n    int
		base time.Duration
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, time.Second}, {50, time.Second}}
	for _, tc := range tests {
		for range 200 {
			if d := p.wait(tc.n); d < tc.base/2 || d > tc.base {
				t.Fatalf("wait(%d) = %v, want within [%v, %v]", tc.n, d, tc.base/2, tc.base)
			}
		}
	}
	if got := (RetryPolicy{}).withDefaults(); got != (RetryPolicy{DefaultDeliveryRetryMin, DefaultDeliveryRetryMax}) {
		t.Errorf("defaults %v", got)
	}
	if got := (RetryPolicy{Min: time.Minute, Max: time.Second}).withDefaults(); got.Max != time.Minute {
		t.Errorf("Max below Min: %v", got)
	}
}

func TestStatusError(t *testing.T) {
	tests := []struct {
		code      int
		answer    string
		reason    string
		permanent bool
		msg       string
	}{
		{200, "", "", false, ""},
		{204, "", "", false, ""},
		{400, "start time must be before end time\n", reasonRejected, true, "HTTP 400: start time must be before end time"},
		{413, "", reasonRejected, true, "HTTP 413"},
		{422, "", reasonRejected, true, "HTTP 422"},
		{401, "", reasonHTTP4xx, false, "HTTP 401"},
		{404, "404 page not found", reasonHTTP4xx, false, "HTTP 404: 404 page not found"},
		{429, "", reasonHTTP4xx, false, "HTTP 429"},
		{500, "boom\x1b[31m\nfake log line", reasonHTTP5xx, false, "HTTP 500: boom [31m fake log line"},
		{503, strings.Repeat("x", 300), reasonHTTP5xx, false, "HTTP 503: " + strings.Repeat("x", 200) + "..."},
		{302, "", reasonHTTP3xx, false, "HTTP 302 (redirects are not followed: configure the final URL)"},
	}
	for _, tc := range tests {
		err := statusError(tc.code, []byte(tc.answer))
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%d: %v", tc.code, err)
			}
			continue
		}
		de := asDeliveryError(err)
		if de.reason != tc.reason || de.permanent != tc.permanent || de.msg != tc.msg {
			t.Errorf("%d: got %q %v %q, want %q %v %q", tc.code, de.reason, de.permanent, de.msg, tc.reason, tc.permanent, tc.msg)
		}
	}
}

func writeSecretFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

// TestPosterRedactsEchoedSecrets: a peer whose error answer echoes the
// request (its Authorization header, its URL's token) does not carry a
// secret into the delivery error, which is logged.
func TestPosterRedactsEchoedSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "denied: %s for %s", r.Header.Get("Authorization"), r.URL.RequestURI())
	}))
	defer srv.Close()
	dir := t.TempDir()
	token, password := filepath.Join(dir, "token"), filepath.Join(dir, "password")
	if err := writeSecretFile(token, "S3cretBearerTOKEN-abc123\n"); err != nil {
		t.Fatal(err)
	}
	if err := writeSecretFile(password, "BasicPassw0rd-qqq\n"); err != nil {
		t.Fatal(err)
	}
	const hook = "/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX?token=URLTOKEN42"
	for _, tc := range []struct {
		name string
		opts HTTPOptions
		want string
	}{
		{"bearer", HTTPOptions{BearerToken: &secret.Secret{File: token}},
			"HTTP 401: denied: <secret> for /services/T0000/B0000/<secret>?<secret>"},
		{"basic", HTTPOptions{BasicAuth: &BasicAuth{Username: "syncwatch", Password: secret.Secret{File: password}}},
			"HTTP 401: denied: <secret> for /services/T0000/B0000/<secret>?<secret>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newHTTPPoster(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			err = p.post(context.Background(), srv.URL+hook, []byte("{}"), nil)
			if de := asDeliveryError(err); de == nil || de.msg != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// TestQueueLogsAChangedReason: failures are logged the first time, every
// tenth, and when the reason changes (a peer that comes back refusing the
// credentials); retry_in is a duration.
func TestQueueLogsAChangedReason(t *testing.T) {
	r := newBatchRecorder()
	r.errs = []error{
		&deliveryError{reason: reasonConnection, msg: "connection refused"},
		&deliveryError{reason: reasonHTTP4xx, msg: "HTTP 401"},
		&deliveryError{reason: reasonHTTP4xx, msg: "HTTP 401"},
		&deliveryError{reason: reasonHTTP4xx, msg: "HTTP 401"},
	}
	var logs testenv.Buffer
	m, err := NewSinkMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	q := newSinkQueue(queueConfig{sink: "test", peer: "p", capacity: 10, maxBatch: 10, retry: fastRetry, metrics: m,
		log: slog.New(slog.NewJSONHandler(&logs, nil))}, r.deliver)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.close(ctx)
	}()
	q.put("", "a")
	r.wait(t, 1)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if rec["msg"] == "delivery failed; retrying" {
			if _, err := time.ParseDuration(rec["retry_in"].(string)); err != nil {
				t.Errorf("retry_in %v: %v", rec["retry_in"], err)
			}
			lines = append(lines, fmt.Sprintf("%v %v", rec["failures"], rec["reason"]))
		}
	}
	if want := []string{"1 connection", "2 http_4xx"}; !reflect.DeepEqual(lines, want) {
		t.Errorf("logged failures %q, want %q", lines, want)
	}
}

// TestPosterRedactsEncodedTokens: a query value with escaped characters
// (a base64 signature) is redacted as the peer echoes it: encoded, decoded,
// or in JSON with & escaped.
func TestPosterRedactsEncodedTokens(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, raw, _ := strings.Cut(r.URL.RawQuery, "sig=")
		uri, _ := json.Marshal(map[string]string{"uri": r.URL.RequestURI()})
		fmt.Fprintf(w, "bad signature %s (%s) %s", raw, r.URL.Query().Get("sig"), uri)
	}))
	defer srv.Close()
	p, err := newHTTPPoster(HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = p.post(context.Background(), srv.URL+"/p?a=1&sig=ab%2Bcd%2Fef%3Dgh", []byte("{}"), nil)
	if de, want := asDeliveryError(err), `HTTP 403: bad signature <secret> (<secret>) {"uri":"/p?<secret>"}`; de == nil || de.msg != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
