// Command setcap gives a file the file capability cap_net_raw+ep, as
// `setcap cap_net_raw+ep FILE` does, for the image build: the builder base
// has no libcap tools. With it, the image's non-root user gets CAP_NET_RAW
// when it executes /syncwatch in a container that was granted the
// capability (Docker, containerd and CRI-O set no ambient capabilities, so
// without a file capability a non-root process loses the capability at
// exec). It never adds any other capability.
package main

import (
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// From linux/capability.h.
const (
	capNetRaw            = 13
	vfsCapRevision2      = 0x02000000
	vfsCapFlagsEffective = 0x000001
)

// netRawCapability returns the security.capability value for
// cap_net_raw+ep: struct vfs_cap_data, revision 2 (VFS_CAP_REVISION_2 with
// VFS_CAP_FLAGS_EFFECTIVE, then permitted and inheritable for capabilities
// 0-31 and 32-63), little-endian.
func netRawCapability() []byte {
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b[0:], vfsCapRevision2|vfsCapFlagsEffective)
	binary.LittleEndian.PutUint32(b[4:], 1<<capNetRaw)
	return b
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: setcap FILE")
		os.Exit(2)
	}
	if err := unix.Setxattr(os.Args[1], "security.capability", netRawCapability(), 0); err != nil {
		fmt.Fprintf(os.Stderr, "setcap: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
