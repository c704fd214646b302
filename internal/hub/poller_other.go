//go:build !linux

package hub

import "errors"

// poller exists on Linux only (epoll); elsewhere every connection keeps a reading goroutine.
type poller struct{}

func sharedPoller() *poller       { return nil }
func (*poller) watch(*Conn) error { return errors.ErrUnsupported }
func (*poller) rearm(*Conn) bool  { return false }
func (*poller) forget(*Conn)      {}
