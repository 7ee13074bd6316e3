package lab

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"
)

// startTcpdump records the SPAN link in the sensor namespace (the
// state-sync port and ICMP, 256 bytes a frame, written frame by frame)
// into path, for the 802.1Q second pass and for -record.
func (l *lab) startTcpdump(ctx context.Context, path string) *process {
	l.t.Helper()
	p := l.start(l.sensor, "tcpdump", nil, "tcpdump", "-i", spanLink, "-n", "-U", "-s", "256", "-Z", "root",
		"-w", path, fmt.Sprintf("tcp port %d or icmp", StatePort))
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.waitStderr(wctx, "listening on "+spanLink); err != nil {
		l.t.Fatal(err)
	}
	return p
}

// tagFrames reads an Ethernet capture and returns its frames with an
// 802.1Q tag inserted after the MAC addresses: the access VLAN of the
// endpoint the frame comes from or goes to, as a Catalyst SPAN with
// "encapsulation replicate" delivers them. Frames of no endpoint are left
// out.
func (l *lab) tagFrames(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.LinkType() != layers.LinkTypeEthernet {
		return nil, fmt.Errorf("%s: link type %v, want Ethernet", path, r.LinkType())
	}
	var frames [][]byte
	for {
		data, _, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(data) < 14 {
			continue
		}
		var vlan uint16
		for _, e := range l.endpoints {
			if bytes.Equal(data[0:6], e.mac) || bytes.Equal(data[6:12], e.mac) {
				vlan = e.vlan
			}
		}
		if vlan == 0 {
			continue
		}
		tagged := make([]byte, 0, len(data)+4)
		tagged = append(tagged, data[:12]...)
		tagged = binary.BigEndian.AppendUint16(tagged, uint16(layers.EthernetTypeDot1Q))
		tagged = binary.BigEndian.AppendUint16(tagged, vlan) // priority 0, DEI 0
		tagged = append(tagged, data[12:]...)
		frames = append(frames, tagged)
	}
	return frames, nil
}

// replay writes frames, as they are, onto the switch's end of the SPAN
// link with an AF_PACKET socket: this kernel cannot push 802.1Q tags on a
// veth itself.
func (l *lab) replay(frames [][]byte) error {
	index := l.sw.Index(spanLink)
	return l.sw.Do(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("AF_PACKET socket: %w", err)
		}
		defer unix.Close(fd)
		for _, f := range frames {
			sa := &unix.SockaddrLinklayer{Ifindex: index, Halen: 6}
			copy(sa.Addr[:], f[0:6])
			if err := unix.Sendto(fd, f, 0, sa); err != nil {
				return fmt.Errorf("sendto: %w", err)
			}
			// Keep the frames in order through the veth and the
			// capture ring, at a few hundred frames a second.
			time.Sleep(2 * time.Millisecond)
		}
		return nil
	})
}

// secondPass replays the run's SPAN frames tagged with each endpoint's
// VLAN to a fresh `syncwatch watch` and checks that it reports every try
// again, with its VLAN.
func (l *lab) secondPass(ctx context.Context, t *testing.T, bin string, o sensorOptions, pcap string, first *sensor, tries []probe) {
	first.proc.stop()
	frames, err := l.tagFrames(pcap)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) == 0 {
		t.Fatalf("%s: no frames of the endpoints", pcap)
	}
	s := l.startWatch(ctx, bin, "watch-vlan", o)
	if err := l.replay(frames); err != nil {
		t.Fatal(err)
	}
	var keys []attemptKey
	for _, p := range tries {
		keys = append(keys, attemptKey{p.Endpoint, p.LocalPort})
	}
	wctx, cancel := context.WithTimeout(ctx, answerTimeout+10*time.Second)
	defer cancel()
	got, err := s.waitAttempts(wctx, keys)
	if err != nil {
		t.Error(err)
	}
	checkAttempts(t, l, tries, got, true)
	t.Logf("replayed %d tagged frames", len(frames))
}
