package bus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// codecVersion opens every encoded batch, so a node can refuse a format it does not know.
const codecVersion = 1

// encodeEvents packs a batch into one bus message: the version byte, then per event its channel,
// seq, business type, business id and message, lengths as uvarints, and for a notice its user
// after them (the other channels have none, so their encoding is what it was before notices).
// The message is copied as is: the event is encoded once, at ingest, for every node.
func encodeEvents(events []Event) []byte {
	size := 1
	for _, e := range events {
		size += 1 + 5*binary.MaxVarintLen64 + len(e.BusinessType) + len(e.BusinessId) + len(e.Message) + len(e.User)
	}
	b := make([]byte, 0, size)
	b = append(b, codecVersion)
	for _, e := range events {
		b = append(b, byte(e.Channel))
		b = binary.AppendUvarint(b, uint64(e.Seq))
		for _, s := range [][]byte{[]byte(e.BusinessType), []byte(e.BusinessId), e.Message} {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
		if e.Channel == Notice {
			b = binary.AppendUvarint(b, uint64(len(e.User)))
			b = append(b, e.User...)
		}
	}
	return b
}

var errTruncated = errors.New("bus message truncated")

// decodePayload decodes a bus message as Redis delivers it, a string, without copying the whole
// batch first: decodeEvents only reads it, and what it returns is copied out of it.
func decodePayload(payload string) ([]Event, error) {
	return decodeEvents(unsafe.Slice(unsafe.StringData(payload), len(payload)))
}

// decodeEvents unpacks what encodeEvents packed. Each message is a copy of its own: the row-data
// snapshots keep one item of a batch as long as its key is kept, and count that item's bytes
// (rowdata.memory), so it must not hold the whole batch in memory with it.
func decodeEvents(b []byte) ([]Event, error) {
	if len(b) == 0 || b[0] != codecVersion {
		return nil, fmt.Errorf("bus message of an unknown format (first byte %v)", b[:min(len(b), 1)])
	}
	b = b[1:]
	var out []Event
	for len(b) > 0 {
		e := Event{Channel: Channel(b[0])}
		if e.Channel != RowData && e.Channel != Alarm && e.Channel != Notice {
			return nil, fmt.Errorf("bus message with an unknown channel %d", b[0])
		}
		b = b[1:]
		seq, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errTruncated
		}
		e.Seq, b = int64(seq), b[n:]
		var fields [4][]byte // type, id, message and, for a notice, its user
		count := 3
		if e.Channel == Notice {
			count = 4
		}
		for i := range fields[:count] {
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, errTruncated
			}
			fields[i], b = b[n:n+int(l)], b[n+int(l):]
		}
		e.BusinessType, e.BusinessId, e.Message = string(fields[0]), string(fields[1]), bytes.Clone(fields[2])
		e.User = string(fields[3])
		out = append(out, e)
	}
	return out, nil
}
