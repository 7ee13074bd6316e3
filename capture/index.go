package capture

import (
	"encoding/binary"
	"hash/maphash"
)

// entryIndex finds tracker entries by a key the entries hold themselves. It
// is an open-addressing hash table with linear probing whose slots hold only
// a 32-bit hash and an entry number, 8 bytes: for a million attempts it
// takes 16 MiB and mostly stays in the CPU caches, where a Go map of the
// keys takes several times that and misses on nearly every new SYN. The
// hash is seeded per index (hash/maphash), so crafted addresses and ports
// cannot make the probes long. Keys are compared against the entries by the
// caller.
type entryIndex struct {
	seed  maphash.Seed
	slots []uint64 // hash<<32 | entry+1; 0 is empty
	n     int
}

// minIndexSlots is the initial table size, a power of two.
const minIndexSlots = 1 << 10

func newEntryIndex() entryIndex {
	return entryIndex{seed: maphash.MakeSeed(), slots: make([]uint64, minIndexSlots)}
}

func slotHash(s uint64) uint32 { return uint32(s >> 32) }
func slotEntry(s uint64) int32 { return int32(uint32(s)) - 1 }
func makeSlot(h uint32, i int32) uint64 {
	return uint64(h)<<32 | uint64(uint32(i+1))
}

// hashAttempt hashes the whole key; hashConn only the connection's part.
func (x *entryIndex) hashAttempt(k *attemptKey) uint32 {
	var b [40]byte
	k.put(&b)
	return uint32(maphash.Bytes(x.seed, b[:]))
}

func (x *entryIndex) hashConn(k *attemptKey) uint32 {
	var b [40]byte
	k.put(&b)
	return uint32(maphash.Bytes(x.seed, b[:36]))
}

// put writes the key as bytes, the connection's part first.
func (k *attemptKey) put(b *[40]byte) {
	copy(b[0:16], k.client[:])
	copy(b[16:32], k.psn[:])
	binary.LittleEndian.PutUint16(b[32:], k.clientPort)
	binary.LittleEndian.PutUint16(b[34:], k.port)
	binary.LittleEndian.PutUint32(b[36:], k.isn)
}

// probe returns the slot where the search for hash h starts.
func (x *entryIndex) probe(h uint32) int { return int(h) & (len(x.slots) - 1) }

// next returns the slot after p.
func (x *entryIndex) next(p int) int { return (p + 1) & (len(x.slots) - 1) }

// insert adds entry i under hash h; the caller makes sure no slot holds i.
func (x *entryIndex) insert(h uint32, i int32) {
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	p := x.probe(h)
	for x.slots[p] != 0 {
		p = x.next(p)
	}
	x.slots[p] = makeSlot(h, i)
	x.n++
}

// grow doubles the table; the slots keep their hash, so no key is read.
func (x *entryIndex) grow() {
	old := x.slots
	x.slots = make([]uint64, 2*len(old))
	for _, s := range old {
		if s == 0 {
			continue
		}
		p := x.probe(slotHash(s))
		for x.slots[p] != 0 {
			p = x.next(p)
		}
		x.slots[p] = s
	}
}

// find returns the slot holding entry i under hash h, or -1.
func (x *entryIndex) find(h uint32, i int32) int {
	want := makeSlot(h, i)
	for p := x.probe(h); x.slots[p] != 0; p = x.next(p) {
		if x.slots[p] == want {
			return p
		}
	}
	return -1
}

// remove deletes entry i stored under hash h, if present. The slots after
// it move back where their probe allows (no tombstones, so lookups of
// missing keys stay short however many entries come and go).
func (x *entryIndex) remove(h uint32, i int32) bool {
	p := x.find(h, i)
	if p < 0 {
		return false
	}
	x.removeAt(p)
	return true
}

func (x *entryIndex) removeAt(p int) {
	mask := len(x.slots) - 1
	for q := x.next(p); x.slots[q] != 0; q = x.next(q) {
		home := x.probe(slotHash(x.slots[q]))
		// The slot at q may move to p unless its home lies cyclically in
		// (p, q].
		if (q-home)&mask >= (q-p)&mask {
			x.slots[p] = x.slots[q]
			p = q
		}
	}
	x.slots[p] = 0
	x.n--
}

// reset empties the index, keeping its seed.
func (x *entryIndex) reset() {
	x.slots = make([]uint64, minIndexSlots)
	x.n = 0
}
