package snmp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// passTableEnv, when set, makes the test binary a net-snmp pass_persist
// handler serving the table file it names (see TestMain); snmpd starts it
// with the subtree it serves as the last argument.
const passTableEnv = "SYNCWATCH_SNMP_PASS_TABLE"

func TestMain(m *testing.M) {
	if path := os.Getenv(passTableEnv); path != "" {
		os.Exit(servePassPersist(path, os.Args[len(os.Args)-1], os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// Credentials of the test agent. They are secrets for the purpose of the
// tests: no error or warning may contain them.
const (
	testCommunity = "c0mmunity-s3cret"
	testAuthPass  = "auth-s3cret-pass"
	testPrivPass  = "priv-s3cret-pass"
)

// testUsers are the agent's SNMPv3 users: name, auth, priv as config names.
var testUsers = []struct{ user, auth, priv string }{
	{"sha-aes128", "SHA", "AES-128"},
	{"sha256-aes256", "SHA-256", "AES-256"},
	{"sha-aes256c", "SHA", "AES-256-C"},
	{"sha-aes256", "SHA", "AES-256"},
	{"sha-authonly", "SHA", ""},
}

// netsnmpPriv is net-snmp's createUser spelling of a config privacy name.
func netsnmpPriv(priv string) string {
	switch priv {
	case "AES-128":
		return "AES"
	case "AES-256":
		return "AES-256"
	case "AES-256-C":
		return "AES256C"
	}
	return ""
}

// agent is a running snmpd serving a fake switch through pass_persist.
type agent struct {
	port  int
	table string // the table file; rewrite it to change what is served
	log   *testenv.Buffer
}

// startAgent runs Debian's snmpd on a loopback port with its own config,
// state directory and users, serving sw through pass_persist handlers that
// are this test binary. withMIB false leaves CISCO-AUTH-FRAMEWORK-MIB out,
// as on a switch without it.
func startAgent(t testing.TB, sw fakeSwitch, withMIB bool) *agent {
	t.Helper()
	testenv.Root(t)
	snmpd := testenv.Command(t, "snmpd")
	self, err := os.Executable()
	if err != nil {
		t.Fatalf("test binary: %v", err)
	}
	dir := t.TempDir()
	a := &agent{table: filepath.Join(dir, "table"), log: &testenv.Buffer{}}
	a.write(t, sw)

	var conf strings.Builder
	fmt.Fprintf(&conf, "rocommunity %s 127.0.0.1\n", testCommunity)
	for _, u := range testUsers {
		if u.priv == "" {
			fmt.Fprintf(&conf, "createUser %s %s %q\nrouser %s auth\n", u.user, u.auth, testAuthPass, u.user)
			continue
		}
		fmt.Fprintf(&conf, "createUser %s %s %q %s %q\nrouser %s priv\n", u.user, u.auth, testAuthPass, netsnmpPriv(u.priv), testPrivPass, u.user)
	}
	subtrees := []string{oidIfName, ".1.3.6.1.2.1.4.35"}
	if withMIB {
		subtrees = append(subtrees, ".1.3.6.1.4.1.9.9.656")
	}
	for _, s := range subtrees {
		fmt.Fprintf(&conf, "pass_persist %s %s %s\n", s, self, s)
	}
	confPath := filepath.Join(dir, "snmpd.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	for attempt := 0; ; attempt++ {
		a.port = freeUDPPort(t)
		cmd := exec.Command(snmpd, "-f", "-Lo", "-C", "-c", confPath,
			// The host's own IF-MIB and IP-MIB tables would answer
			// instead of the fake switch's.
			"-I", "-ifXTable,ipNetToPhysicalTable,inetNetToMediaTable",
			fmt.Sprintf("udp:127.0.0.1:%d", a.port))
		cmd.Env = append(os.Environ(),
			"SNMP_PERSISTENT_DIR="+filepath.Join(dir, "state"),
			"MIBS=",
			passTableEnv+"="+a.table)
		cmd.Stdout, cmd.Stderr = a.log, a.log
		if err := cmd.Start(); err != nil {
			t.Fatalf("start snmpd: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
			if t.Failed() {
				t.Logf("snmpd output:\n%s", a.log)
			}
		})
		if a.ready(exited) {
			return a
		}
		if attempt == 2 {
			t.Fatalf("snmpd did not answer on udp:127.0.0.1:%d; output:\n%s", a.port, a.log)
		}
	}
}

// ready waits until snmpd answers a v2c Get of sysUpTime, or has exited.
func (a *agent) ready(exited <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		g := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: uint16(a.port), Version: gosnmp.Version2c,
			Community: testCommunity, Timeout: 200 * time.Millisecond, Retries: 0}
		if g.Connect() == nil {
			_, err := g.Get([]string{".1.3.6.1.2.1.1.3.0"})
			_ = g.Conn.Close()
			if err == nil {
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// write replaces the served table; the handlers reread it when it changes.
func (a *agent) write(t testing.TB, sw fakeSwitch) {
	t.Helper()
	tmp := a.table + ".new"
	if err := os.WriteFile(tmp, []byte(strings.Join(sw.entries(), "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, a.table); err != nil {
		t.Fatal(err)
	}
}

func freeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// passEntry is one object a pass_persist handler serves.
type passEntry struct {
	oid, typ, value string
}

// servePassPersist answers snmpd's pass_persist protocol (PING, get,
// getnext, set) for the objects of the table file under root, rereading
// the file when it is replaced. It returns the exit code.
func servePassPersist(path, root string, in io.Reader, out io.Writer) int {
	var entries []passEntry
	var stamp string
	load := func() {
		st, err := os.Stat(path)
		if err != nil {
			entries = nil
			return
		}
		s := fmt.Sprintf("%d/%d/%d", st.ModTime().UnixNano(), st.Size(), st.Sys().(*syscall.Stat_t).Ino)
		if s == stamp {
			return
		}
		stamp = s
		entries = loadPassTable(path, root)
	}
	r := bufio.NewScanner(in)
	w := bufio.NewWriter(out)
	answer := func(e *passEntry) {
		if e == nil {
			fmt.Fprintln(w, "NONE")
		} else {
			fmt.Fprintf(w, "%s\n%s\n%s\n", e.oid, e.typ, e.value)
		}
		_ = w.Flush()
	}
	for r.Scan() {
		switch cmd := strings.TrimSpace(r.Text()); cmd {
		case "PING":
			fmt.Fprintln(w, "PONG")
			_ = w.Flush()
		case "get", "getnext":
			if !r.Scan() {
				return 0
			}
			oid := normalizeOID(strings.TrimSpace(r.Text()))
			load()
			i := sort.Search(len(entries), func(i int) bool { return compareOID(entries[i].oid, oid) >= 0 })
			if cmd == "getnext" && i < len(entries) && compareOID(entries[i].oid, oid) == 0 {
				i++
			}
			if i == len(entries) || (cmd == "get" && entries[i].oid != oid) {
				answer(nil)
				continue
			}
			answer(&entries[i])
		case "set":
			r.Scan()
			r.Scan()
			fmt.Fprintln(w, "not-writable")
			_ = w.Flush()
		case "":
		default:
			answer(nil)
		}
	}
	return 0
}

// loadPassTable reads "OID TYPE VALUE" lines under root, sorted by OID.
func loadPassTable(path, root string) []passEntry {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []passEntry
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, " ", 3)
		if len(f) < 2 {
			continue
		}
		if _, ok := under(f[0], root); !ok {
			continue
		}
		e := passEntry{oid: f[0], typ: f[1]}
		if len(f) == 3 {
			e.value = f[2]
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return compareOID(out[i].oid, out[j].oid) < 0 })
	return out
}

// fakeSwitch is what the test agent serves: a cafSessionTable, the ifNames
// of its ports and an ARP/ND cache.
type fakeSwitch struct {
	sessions  []fakeSession
	ifNames   map[int]string
	neighbors []fakeNeighbor
}

// fakeSession is one cafSessionTable row; a negative addrType, a nil addr
// or a zero status leaves that column out of the table.
type fakeSession struct {
	ifIndex  int
	id       string
	mac      []byte
	addrType int
	addr     []byte
	status   int
	domain   int
	user     string
	methods  [][2]int // cafSessionMethod, cafSessionMethodState
}

// fakeNeighbor is one ipNetToPhysicalTable row.
type fakeNeighbor struct {
	ifIndex int
	addr    []byte // 4 or 16 octets
	mac     []byte
}

// octetValue is a pass_persist "octet" value (hex pairs), or an empty
// "string" for no octets.
func octetValue(b []byte) (string, string) {
	if len(b) == 0 {
		return "string", ""
	}
	return "octet", fmt.Sprintf("% x", b)
}

// entries renders the switch as pass table lines.
func (f fakeSwitch) entries() []string {
	var out []string
	add := func(oid, typ, value string) { out = append(out, oid+" "+typ+" "+value) }
	// cafMacMoveMode, a scalar every switch with the MIB has.
	add(".1.3.6.1.4.1.9.9.656.1.1.3.0", "integer", "1")
	for _, s := range f.sessions {
		idx := strconv.Itoa(s.ifIndex)
		for i := 0; i < len(s.id); i++ {
			idx += "." + strconv.Itoa(int(s.id[i]))
		}
		col := func(n int) string { return fmt.Sprintf("%s.%d.%s", oidSessionEntry, n, idx) }
		if s.mac != nil {
			typ, v := octetValue(s.mac)
			add(col(colMAC), typ, v)
		}
		if s.addrType >= 0 {
			add(col(colAddrType), "integer", strconv.Itoa(s.addrType))
		}
		if s.addr != nil {
			typ, v := octetValue(s.addr)
			add(col(colAddr), typ, v)
		}
		if s.status != 0 {
			add(col(colStatus), "integer", strconv.Itoa(s.status))
		}
		if s.domain != 0 {
			add(col(colDomain), "integer", strconv.Itoa(s.domain))
		}
		add(col(7), "integer", "3") // cafSessionAuthHostMode multiAuth: not read
		if s.user != "" {
			add(col(10), "string", s.user) // cafSessionAuthUserName: not read
		}
		for _, m := range s.methods {
			add(fmt.Sprintf("%s.%d.%d.%s.%d", oidMethodState, s.ifIndex, len(s.id), idx[len(strconv.Itoa(s.ifIndex))+1:], m[0]), "integer", strconv.Itoa(m[1]))
		}
	}
	for i, name := range f.ifNames {
		add(fmt.Sprintf("%s.%d", oidIfName, i), "string", name)
	}
	for _, n := range f.neighbors {
		typ := 1
		if len(n.addr) == 16 {
			typ = 2
		}
		oid := fmt.Sprintf("%s.%d.%d.%d", oidNetToPhysicalPhysAddress, n.ifIndex, typ, len(n.addr))
		for _, b := range n.addr {
			oid += "." + strconv.Itoa(int(b))
		}
		t, v := octetValue(n.mac)
		add(oid, t, v)
	}
	return out
}
