//go:build !unix

package alerts

import "os"

// lockFile takes no lock where flock is not available.
func lockFile(*os.File) error { return nil }
