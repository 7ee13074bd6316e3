package alerts

import (
	"net/netip"
	"testing"
	"time"
)

// TestReconfigure: a reloaded configuration's judge names the PSN anew,
// and a lower psn-down threshold takes effect at once.
func TestReconfigure(t *testing.T) {
	l := newLabLifecycle(t, LifecycleConfig{Sensor: "old"})
	l.feed(t, "10.1.0.1>10.0.0.12 accepted mac=1 at=0")
	if f := l.activeFinding(t, reached1); f.PSNName != "psn2" || f.Sensor != "old" {
		t.Fatalf("before: psn %q sensor %q", f.PSNName, f.Sensor)
	}
	l.Reconfigure(Settings{
		Judge:            NewJudge(JudgeConfig{PSNs: []PSN{{Name: "psn-b", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.13")}}}}),
		PSNDownEndpoints: 1, Hold: time.Minute, Sensor: "new",
	})
	l.feed(t, "10.1.0.1>10.0.0.13 accepted mac=1 at=1")
	f := l.activeFinding(t, "compliant-reached|a4:bb:6d:00:00:01|10.0.0.13|8449")
	if f.PSNName != "psn-b" || f.Sensor != "new" {
		t.Errorf("after: psn %q sensor %q", f.PSNName, f.Sensor)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.psnDown.threshold != 1 || l.psnDown.window != DefaultPSNDownWindow || l.cfg.Hold != time.Minute || l.cfg.SilenceFloor != DefaultSilenceFloor {
		t.Errorf("settings: %d %v %v %v", l.psnDown.threshold, l.psnDown.window, l.cfg.Hold, l.cfg.SilenceFloor)
	}
}
