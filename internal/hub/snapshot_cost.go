package hub

// What the snapshots charge for what they keep, in bytes as allocated. TestSnapshotCostIsHonest
// measures the heap a snapshot really holds and checks that these constants never count less.
const (
	// messageOverhead is a kept Message beside its bytes: the struct (a slice and a seq, 32 B).
	messageOverhead = 32
	// ringOverhead is a key's ring beside its key's strings and its message slots: the
	// snapshotRing struct (128 B as allocated) and its entry in the key map (up to about 100 B,
	// as the map is between half and seven eighths full), rounded up.
	ringOverhead = 240
	// slotCost is one slot of a ring: a message's pointer and time, and an eighth for the
	// allocator's size classes.
	slotCost = 18
)

// messageCost is what keeping m costs: its bytes as allocated, and the Message.
func messageCost(m *Message) int64 { return messageOverhead + allocated(cap(m.data)) }

// allocated is at least what the allocator takes for n bytes: its size classes are 16 bytes
// apart up to 256 and at most an eighth apart up to 32 KiB; larger objects take whole 8 KiB
// pages.
func allocated(n int) int64 {
	if n > 32<<10 {
		return int64(n+8191) &^ 8191
	}
	return int64(n+n/8+15) &^ 15
}

// ringCost is what a ring of slots slots for k costs beside its messages. The key's strings are
// the ring's own (each publish decodes its own), each allocated in multiples of 8 bytes.
func ringCost(k Key, slots int) int64 {
	return ringOverhead + slotCost*int64(slots) + roundUp8(len(k.Type)) + roundUp8(len(k.ID))
}

func roundUp8(n int) int64 { return int64(n+7) &^ 7 }
