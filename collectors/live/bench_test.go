package live

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/ios"
	"github.com/syncwatch/syncwatch/collectors/ssh"
	"github.com/syncwatch/syncwatch/internal/iosemu"
)

// BenchmarkPoll500Switches polls 500 emulated switches (in-process SSH
// servers, 48 sessions each) with the default concurrency: a full sweep
// (login, show version, summary, the details of every session, ACLs,
// device tracking) and then an unchanged poll (the summary only). It
// reports wall time, CPU (getrusage: this process runs the emulated
// switches too, so the collector's own share is lower), the heap, and the
// extrapolation to 2,000 switches with the per-switch budget that leaves
// within 60 s. With -short it polls 50.
func BenchmarkPoll500Switches(b *testing.B) {
	n := 500
	if testing.Short() {
		n = 50
	}
	const sessions = 48
	l := newLab(b)
	for i := 0; i < n; i++ {
		l.add(iosemu.Campus(fmt.Sprintf("sw%04d", i), iosemu.ReleaseIOSXE, sessions), iosemu.ServerConfig{})
	}
	switches := l.switches(nil)
	for i := range switches {
		// Time limits as in production: the machine may be busy.
		l.edits[switches[i].Name] = func(c *ssh.Config) {
			c.ConnectTimeout, c.HandshakeTimeout, c.CommandTimeout = 0, 0, 0
		}
	}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		inv := collectors.NewInventory()
		c, err := New(Config{Switches: switches, Retries: -1}, inv, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		cpu0 := cpuTime()
		start := time.Now()
		if err := c.PollOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		full := time.Since(start)
		cpuFull := cpuTime() - cpu0
		if got := inv.Snapshot().NumSessions(); got != n*sessions {
			b.Fatalf("%d sessions, want %d", got, n*sessions)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)

		cpu0 = cpuTime()
		start = time.Now()
		errs := make(chan error, n)
		sem := make(chan struct{}, DefaultConcurrency)
		for _, p := range c.order {
			go func() {
				sem <- struct{}{}
				errs <- p.poll(context.Background(), false)
				<-sem
			}()
		}
		for range c.order {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		steady := time.Since(start)
		cpuSteady := cpuTime() - cpu0
		c.Close()

		b.ReportMetric(full.Seconds(), "full-s")
		b.ReportMetric(cpuFull.Seconds(), "full-cpu-s")
		b.ReportMetric(steady.Seconds(), "unchanged-s")
		b.ReportMetric(cpuSteady.Seconds(), "unchanged-cpu-s")
		b.ReportMetric(float64(ms.HeapInuse)/float64(1<<20), "heap-MiB")
		perSwitch := full / time.Duration(n)
		b.ReportMetric(float64(perSwitch.Microseconds())/1000, "ms/switch")
		b.ReportMetric((full * time.Duration(2000) / time.Duration(n)).Seconds(), "2000-switches-s")
		// With 32 switches at once, 2,000 switches in 60 s leave each
		// switch 60 s × 32 / 2,000 of wall time for its login and commands.
		b.ReportMetric(60*float64(DefaultConcurrency)/2000, "budget-s/switch")
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSessionMemory measures what the live collector holds per
// session: its cache (what tells a change) and the inventory's state (the
// session itself).
func BenchmarkSessionMemory(b *testing.B) {
	const n, sessions = 20, 48
	l := newLab(b)
	for i := 0; i < n; i++ {
		l.add(iosemu.Campus(fmt.Sprintf("sw%04d", i), iosemu.ReleaseIOSXE, sessions), iosemu.ServerConfig{})
	}
	for it := 0; it < b.N; it++ {
		inv := collectors.NewInventory()
		c, err := New(Config{Switches: l.switches(nil), Retries: -1}, inv, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.PollOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		for _, p := range c.order {
			p.disconnect()
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		// Drop the cache and inventory, measure what that frees.
		for _, p := range c.order {
			p.sessions = nil
			p.acls = nil
			p.bindings = ios.Result{}
		}
		runtime.GC()
		var mid runtime.MemStats
		runtime.ReadMemStats(&mid)
		for _, p := range c.order {
			inv.RemoveSwitch(p.sw.Name)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		per := func(a, b uint64) float64 { return float64(int64(a)-int64(b)) / float64(n*sessions) }
		b.ReportMetric(per(before.HeapAlloc, after.HeapAlloc), "B/session")
		b.ReportMetric(per(before.HeapAlloc, mid.HeapAlloc), "cache-B/session")
		b.ReportMetric(per(mid.HeapAlloc, after.HeapAlloc), "inventory-B/session")
		runtime.KeepAlive(c)
	}
}
