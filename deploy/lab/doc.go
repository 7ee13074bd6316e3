// Package lab is syncwatch's network lab, the acceptance test of the whole
// product: no Cisco switch or ISE runs here, so the lab builds the closest
// real thing out of Linux network namespaces and runs syncwatch against it.
//
// A "switch" namespace routes between endpoint namespaces (one veth per
// switch port), PSN namespaces (an HTTPS server on 8449 answering
// /auth/StateSynch with X-ISE-POSTURE_STATUS, as ISE does) and a sensor
// namespace (a management link and a SPAN link). The switch enforces each
// endpoint's dACL with nftables rules written by hand next to the IOS text
// they implement (scenarios/), mirrors its endpoint ports in both directions,
// before filtering, with nftables netdev dup, and serves its sessions and ACL
// listings with the IOS CLI emulator over SSH. Each endpoint runs a probe
// like the posture agent.
//
// Everything is in the package's tests: go test ./deploy/lab -run TestLab -v
// as root builds the lab, runs every scenario and tears it all down. The
// package holds no code of its own.
package lab
