package loadgen

import (
	"bytes"
	"strconv"
)

// An item is one published row-data sample. Its data is {"seq":S,"t":T,"pad":"xx…"}: S numbers
// the items of one key from 0 without gaps (so a subscriber checks them against a bitmap), T is
// the unix time in nanoseconds when the item was sent, and the padding brings data to the
// requested payload size.

// BusinessType is the business type every load-tool key uses.
const BusinessType = "bench"

// keyID is the businessId of key j.
func keyID(j int) string { return "k" + strconv.Itoa(j) }

// appendItem appends one ingest object for key j with sequence seq, stamped t, whose data is
// payload bytes long (or as short as the fields allow).
func appendItem(b []byte, j int, seq uint64, t int64, payload int) []byte {
	b = append(b, `{"businessType":"`+BusinessType+`","businessId":"k`...)
	b = strconv.AppendInt(b, int64(j), 10)
	b = append(b, `","data":`...)
	start := len(b)
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, t, 10)
	b = append(b, `,"pad":"`...)
	for pad := payload - (len(b) - start) - len(`"}`); pad > 0; pad-- {
		b = append(b, 'x')
	}
	return append(b, `"}}`...)
}

// parsed is what a subscriber needs from one received object.
type parsed struct {
	id  []byte // businessId
	seq uint64
	t   int64 // publish time, unix ns
}

// objectKind says what parseObject found.
type objectKind int

const (
	kindItem    objectKind = iota // a live row-data item of the load tool
	kindOther                     // another type (pong, error, …) or a snapshot replay: ignored
	kindMangled                   // a row-data object the tool cannot read
)

var (
	rowDataPrefix = []byte(`{"type":"rowdata"`)
	rowDataType   = []byte(`"type":"rowdata"`)
	snapshotMark  = []byte(`"snapshot":true`)
	idField       = []byte(`"businessId":"`)
	seqField      = []byte(`"seq":`)
	tField        = []byte(`,"t":`)
)

// parseObject reads one object of a server frame without decoding the JSON: it looks for the
// businessId and then the "seq" and "t" fields of the data, which follow in the order the tool
// wrote them (the server delivers data unchanged).
func parseObject(obj []byte) (parsed, objectKind) {
	if !bytes.HasPrefix(obj, rowDataPrefix) && !bytes.Contains(obj, rowDataType) {
		return parsed{}, kindOther
	}
	if bytes.Contains(obj, snapshotMark) {
		return parsed{}, kindOther
	}
	var p parsed
	i := bytes.Index(obj, idField)
	if i < 0 {
		return p, kindMangled
	}
	rest := obj[i+len(idField):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return p, kindMangled
	}
	p.id, rest = rest[:end], rest[end:]
	if i = bytes.Index(rest, seqField); i < 0 {
		return p, kindMangled
	}
	rest = rest[i+len(seqField):]
	seq, n := parseUint(rest)
	if n == 0 || !bytes.HasPrefix(rest[n:], tField) {
		return p, kindMangled
	}
	rest = rest[n+len(tField):]
	t, n := parseUint(rest)
	if n == 0 {
		return p, kindMangled
	}
	p.seq, p.t = seq, int64(t)
	return p, kindItem
}

// parseUint reads the decimal digits at the start of b and says how many it read.
func parseUint(b []byte) (uint64, int) {
	var v uint64
	n := 0
	for n < len(b) && n < 20 && b[n] >= '0' && b[n] <= '9' {
		v = v*10 + uint64(b[n]-'0')
		n++
	}
	return v, n
}
