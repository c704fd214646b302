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
		{"masked", cat([]byte{0x89, 0x82}, mask), Header{Final: true, Opcode: 9, Masked: true, Mask: [4]byte{0x12, 0x34, 0x56, 0x78}, Length: 2}, 6, true},
		{"masked, mask cut", []byte{0x89, 0x82, 0x12}, Header{Final: true, Opcode: 9, Masked: true, Length: 2}, 6, false},
		{"masked, 16-bit length", cat([]byte{0x01, 0xfe, 0xff, 0xff}, mask), Header{Opcode: 1, Masked: true, Mask: [4]byte{0x12, 0x34, 0x56, 0x78}, Length: 65535}, 8, true},
		{"masked, 64-bit length", cat([]byte{0x81, 0xff, 0, 0, 0, 0, 0, 1, 0, 0}, mask), Header{Final: true, Opcode: 1, Masked: true, Mask: [4]byte{0x12, 0x34, 0x56, 0x78}, Length: 65536}, 14, true},
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

// TestAppend: Append writes the shortest form of every header, which Parse reads back whole;
// AppendText writes what Append does for a final unmasked text frame.
func TestAppend(t *testing.T) {
	for _, h := range []Header{
		{Final: true, Opcode: OpText, Length: 0},
		{Final: true, Opcode: OpText, Length: 125},
		{Final: true, Opcode: OpText, Length: 126},
		{Final: false, Opcode: OpBinary, Length: 65535},
		{Final: true, Opcode: OpContinuation, Length: 65536},
		{Final: true, Opcode: OpText, Length: 1 << 40},
		{Final: true, RSV: 0x40, Opcode: OpClose, Length: 2},
		{Final: true, Opcode: OpPing, Masked: true, Mask: [4]byte{1, 2, 3, 4}, Length: 4},
		{Final: true, Opcode: OpText, Masked: true, Mask: [4]byte{9, 8, 7, 6}, Length: 300},
		{Final: true, Opcode: OpText, Masked: true, Mask: [4]byte{9, 8, 7, 6}, Length: 70000},
		{Final: true, Opcode: OpPong, Length: -1}, // a frame no peer accepts, for tests
	} {
		b := h.Append([]byte("x"))
		var got Header
		size, ok := got.Parse(b[1:])
		if !ok || size != len(b)-1 || got != h {
			t.Errorf("Append(%+v) = % x, parsed back as %+v (%d bytes, whole %v)", h, b[1:], got, size, ok)
		}
		wantSize := 2 + map[bool]int{true: 4}[h.Masked]
		switch {
		case h.Length < 0 || h.Length >= 1<<16:
			wantSize += 8
		case h.Length >= 126:
			wantSize += 2
		}
		if size != wantSize {
			t.Errorf("Append(%+v): %d bytes, want %d (the shortest form)", h, size, wantSize)
		}
		if !h.Masked && h.Final && h.Opcode == OpText && h.RSV == 0 && h.Length >= 0 {
			if text := AppendText(nil, int(h.Length)); !bytes.Equal(text, b[1:]) {
				t.Errorf("AppendText(%d) = % x, want % x", h.Length, text, b[1:])
			}
		}
	}
}

// TestMask: masking twice gives the payload back; an offset continues the key where it was.
func TestMask(t *testing.T) {
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	p := []byte("hello, frames")
	Mask(key, p, 0)
	if string(p) == "hello, frames" || p[0] != 'h'^0x12 || p[5] != ','^0x34 {
		t.Fatalf("masked: % x", p)
	}
	Mask(key, p[:3], 0)
	Mask(key, p[3:], 3)
	if string(p) != "hello, frames" {
		t.Fatalf("unmasked in two parts: %q", p)
	}
}

// BenchmarkAppendText: the header of a server's batch, as the engine's writer writes it.
func BenchmarkAppendText(b *testing.B) {
	buf := make([]byte, 0, MaxHeaderSize)
	for b.Loop() {
		buf = AppendText(buf[:0], 300)
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
