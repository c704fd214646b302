package hub

// Message is one outbound JSON object, encoded once and shared by every recipient.
// Its bytes must not be changed after it is published.
type Message struct {
	data []byte
}

// NewMessage wraps an encoded JSON object (no trailing newline).
func NewMessage(data []byte) *Message {
	return &Message{data: data}
}

// Bytes returns the encoded object.
func (m *Message) Bytes() []byte { return m.data }
