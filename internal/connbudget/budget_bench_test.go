package connbudget

import "testing"

// BenchmarkBookkeeping: what the budget adds to one connection's life, without the socket:
// admitted, served at its first request, released at its close; with the budget full, so that
// every admission also closes the oldest waiting connection.
func BenchmarkBookkeeping(b *testing.B) {
	for _, full := range []bool{false, true} {
		name := "budget=free"
		if full {
			name = "budget=full"
		}
		b.Run(name, func(b *testing.B) {
			bg := New(1 << 20)
			if full {
				bg = New(1024)
				for range 1024 {
					bg.admit(&conn{b: bg})
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				c := &conn{b: bg}
				bg.admit(c)
				if !full {
					c.served()
					bg.release(c)
				}
			}
		})
	}
}
