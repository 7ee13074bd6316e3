// Package capture turns captured frames into connection attempts to the ISE
// posture state-sync port (TCP 8449 by default) and classifies each one:
// accepted (SYN-ACK), refused (RST), prohibited (ICMP destination
// unreachable) or unanswered.
//
// The sources (pcap and pcapng files, AF_PACKET TPACKET_V3 live capture)
// are thin shells around a pure core: Decoder turns bytes into a Packet and
// Tracker turns packets into Attempts, taking time only from packet
// timestamps, so a file analysis is deterministic and replayable.
//
// capture never imports collectors or alerts, and it never sends a packet.
package capture
