//go:build !linux

package hub

import (
	"errors"
	"syscall"
)

// Elsewhere than on Linux no socket is read or written without waiting: frameConn.raw is never set.

func readNow(syscall.RawConn, []byte) (int, error)                { return 0, errors.ErrUnsupported }
func writeNow(syscall.RawConn, *nowaitWrite, []byte) (int, error) { return 0, errWouldBlock }

type nowaitWrite struct{}

func newNowaitWrite() *nowaitWrite { return &nowaitWrite{} }
