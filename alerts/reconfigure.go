package alerts

import "time"

// Settings are what a running Lifecycle takes from a reloaded
// configuration; zero values take the defaults, as in LifecycleConfig.
// Findings already active stay active and keep their keys: a changed
// posture rule or PSN list shows in the next occurrences and sweeps.
type Settings struct {
	// Judge replaces the judge (PSN names, posture rules); nil keeps it.
	Judge            *Judge
	PSNDownEndpoints int
	PSNDownWindow    time.Duration
	Hold             time.Duration
	SilenceFloor     time.Duration
	ConfirmTimeout   time.Duration
	Sensor           string
}

// Reconfigure applies new settings to the lifecycle; safe for concurrent
// use with everything else.
func (l *Lifecycle) Reconfigure(s Settings) {
	def := func(v, d time.Duration) time.Duration {
		if v <= 0 {
			return d
		}
		return v
	}
	if s.PSNDownEndpoints <= 0 {
		s.PSNDownEndpoints = DefaultPSNDownEndpoints
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.Judge != nil {
		l.cfg.Judge = s.Judge
		l.judge.Store(s.Judge)
	}
	l.psnDown.threshold = s.PSNDownEndpoints
	l.psnDown.window = def(s.PSNDownWindow, DefaultPSNDownWindow)
	l.cfg.PSNDownEndpoints, l.cfg.PSNDownWindow = l.psnDown.threshold, l.psnDown.window
	l.cfg.Hold = def(s.Hold, DefaultHold)
	l.cfg.SilenceFloor = def(s.SilenceFloor, DefaultSilenceFloor)
	l.cfg.ConfirmTimeout = def(s.ConfirmTimeout, DefaultConfirmTimeout)
	l.cfg.Sensor = s.Sensor
}

// confirmTimeout is the confirm step's bound as now configured.
func (l *Lifecycle) confirmTimeout() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg.ConfirmTimeout
}
