package hub

// Message is one outbound JSON object, encoded once and shared by every recipient.
// Its bytes must not be changed after it is published.
type Message struct {
	data []byte
	seq  int64 // position in a durable stream (alarms); 0 for messages outside one
}

// NewMessage wraps an encoded JSON object (no trailing newline).
func NewMessage(data []byte) *Message {
	return &Message{data: data}
}

// NewSeqMessage wraps an encoded JSON object that has position seq in a durable stream. A
// connection whose replay covered seq drops it instead of sending it twice (see Replay).
func NewSeqMessage(data []byte, seq int64) *Message {
	return &Message{data: data, seq: seq}
}

// Bytes returns the encoded object.
func (m *Message) Bytes() []byte { return m.data }

// Seq is the message's stream position, 0 if it has none.
func (m *Message) Seq() int64 { return m.seq }
