package wsframe

import (
	"bytes"
	"testing"
)

func TestParse(t *testing.T) {
	mask := []byte{0x12, 0x34, 0x56, 0x78}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name string
		in   []byte
		want Header
		size int
		ok   bool
	}{
		{"empty", nil, Header{}, 2, false},
		{"one byte", []byte{0x81}, Header{}, 2, false},
		{"final text, 7-bit length", []byte{0x81, 5}, Header{Final: true, Opcode: 1, Length: 5}, 2, true},
		{"empty close", []byte{0x88, 0}, Header{Final: true, Opcode: 8}, 2, true},
		{"continued binary", []byte{0x02, 125}, Header{Opcode: 2, Length: 125}, 2, true},
		{"continuation, final", []byte{0x80, 1}, Header{Final: true, Length: 1}, 2, true},
		{"reserved bits", []byte{0xf1, 0}, Header{Final: true, RSV: 0x70, Opcode: 1}, 2, true},
		{"16-bit length", []byte{0x81, 126, 0x01, 0x2c}, Header{Final: true, Opcode: 1, Length: 300}, 4, true},
		{"16-bit length, cut", []byte{0x81, 126, 0x01}, Header{Final: true, Opcode: 1}, 4, false},
		{"64-bit length", []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70}, Header{Final: true, Opcode: 2, Length: 70000}, 10, true},
		{"64-bit length, cut", []byte{0x82, 127, 0, 0, 0, 0}, Header{Final: true, Opcode: 2}, 10, false},
		{"64-bit length, top bit set", []byte{0x89, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}, Header{Final: true, Opcode: 9, Length: -1 << 63}, 10, true},
		{"masked", cat([]byte{0x89, 0x82}, mask), Header{Final: true, Opcode: 9, Masked: true, Length: 2}, 6, true},
		{"masked, mask cut", []byte{0x89, 0x82, 0x12}, Header{Final: true, Opcode: 9, Masked: true, Length: 2}, 6, false},
		{"masked, 16-bit length", cat([]byte{0x01, 0xfe, 0xff, 0xff}, mask), Header{Opcode: 1, Masked: true, Length: 65535}, 8, true},
		{"masked, 64-bit length", cat([]byte{0x81, 0xff, 0, 0, 0, 0, 0, 1, 0, 0}, mask), Header{Final: true, Opcode: 1, Masked: true, Length: 65536}, 14, true},
		{"payload after the header is not read", []byte{0x81, 2, 'h', 'i', 0x81}, Header{Final: true, Opcode: 1, Length: 2}, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h Header
			size, ok := h.Parse(tc.in)
			if h != tc.want || size != tc.size || ok != tc.ok {
				t.Fatalf("Parse(% x) = %+v, %d, %v; want %+v, %d, %v", tc.in, h, size, ok, tc.want, tc.size, tc.ok)
			}
		})
	}
}

// BenchmarkParse: a server's text frame header with a 16-bit length, as the load tool meets it.
func BenchmarkParse(b *testing.B) {
	in := []byte{0x81, 126, 0x01, 0x2c}
	var h Header
	for b.Loop() {
		if _, ok := h.Parse(in); !ok {
			b.Fatal("cut")
		}
	}
}
