package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and revision are set at build time with -ldflags "-X
// main.version=... -X main.revision=..." (the image build does, since it
// builds without VCS information); a plain go build takes the revision
// from the VCS stamp Go records.
var (
	version  = "dev"
	revision = ""
)

// buildRevision returns the VCS revision syncwatch was built from, or
// "unknown".
func buildRevision() string {
	if revision != "" {
		return revision
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}

func runVersion(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "version", "", "Print syncwatch's version, the Go version and the VCS revision it was built from.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "syncwatch %s (%s, %s/%s, revision %s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH, buildRevision())
	return nil
}
