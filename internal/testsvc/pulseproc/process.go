package pulseproc

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/syncbuf"
)

// Process is one pulse server run as a child process: Bin in Dir, which holds its config.yaml
// (found through GF_GCFG_PATH) and its data/ folder, the SQLite alarm store. It may be started
// again after it ended, on the same folder and port.
type Process struct {
	Bin  string
	Dir  string
	Addr string // host:port; "" picks a free one at the first start
	// Config is the whole config.yaml; "" is DefaultConfig(Addr) with Extra appended. It is
	// written at every start.
	Config string
	Extra  string
	Env    []string // NAME=value added to the process's environment
	Nofile int      // > 0: the open-file limit (ulimit -n) it runs under

	mu   sync.Mutex
	cmd  *exec.Cmd
	logs *syncbuf.Buffer
	done chan struct{} // closed when the current run has ended; err is then its exit
	err  error
}

// DefaultConfig is the configuration of a server on addr: quiet (level warning, no router map).
func DefaultConfig(addr string) string {
	return fmt.Sprintf("server:\n  address: %q\n  dumpRouterMap: false\nlogger:\n  level: warning\n", addr)
}

// URL is http://Addr.
func (p *Process) URL() string { return "http://" + p.Addr }

// Launch writes the configuration and runs the binary, without waiting for it to serve.
func (p *Process) Launch() error {
	if done := p.Exited(); done != nil {
		select {
		case <-done:
		default:
			return errors.New("pulseproc: started again while it runs (Kill or Stop it first)")
		}
	}
	if p.Addr == "" {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		p.Addr = addr
	}
	cfg := p.Config
	if cfg == "" {
		cfg = DefaultConfig(p.Addr) + p.Extra
	}
	if err := os.WriteFile(filepath.Join(p.Dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(p.Bin)
	if p.Nofile > 0 {
		cmd = exec.Command("sh", "-c", fmt.Sprintf(`ulimit -n %d && exec "$0"`, p.Nofile), p.Bin)
	}
	cmd.Dir = p.Dir
	cmd.Env = append(append(os.Environ(), "GF_GCFG_PATH="+p.Dir), p.Env...)
	logs := new(syncbuf.Buffer)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.logs, p.done, p.err = cmd, logs, done, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		if p.done == done {
			p.err = err
		}
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// Start launches the process and waits until /healthz answers 200 (see poll.Patience); if it
// does not, the process is killed and the error carries its output.
func (p *Process) Start() error {
	if err := p.Launch(); err != nil {
		return err
	}
	// A fresh connection per probe: none is left open in the server (it may run under Nofile).
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	healthy := func() bool {
		resp, err := probe.Get(p.URL() + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	exited := p.Exited()
	if poll.Until(func() bool {
		select {
		case <-exited:
			return true
		default:
			return healthy()
		}
	}) {
		select {
		case <-exited:
			return fmt.Errorf("the server exited before it became healthy (%v):\n%s", p.Wait(), p.Logs())
		default:
			return nil
		}
	}
	p.Kill()
	return fmt.Errorf("the server did not become healthy within %v:\n%s", poll.Patience, p.Logs())
}

// Logs is the output of the current (or last) run, as it grows.
func (p *Process) Logs() *syncbuf.Buffer {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.logs == nil {
		return new(syncbuf.Buffer)
	}
	return p.logs
}

// Exited is closed when the current run has ended (nil before the first start).
func (p *Process) Exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// Wait waits for the current run to end and returns its exit, as exec.Cmd.Wait does.
func (p *Process) Wait() error {
	done := p.Exited()
	if done == nil {
		return errors.New("pulseproc: not started")
	}
	<-done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Signal sends sig to the current run.
func (p *Process) Signal(sig os.Signal) error {
	p.mu.Lock()
	cmd := p.cmd
	p.mu.Unlock()
	if cmd == nil {
		return errors.New("pulseproc: not started")
	}
	return cmd.Process.Signal(sig)
}

// Kill ends the current run with SIGKILL, as a crash would, and waits until it is gone.
func (p *Process) Kill() {
	if p.Exited() == nil {
		return
	}
	_ = p.Signal(syscall.SIGKILL)
	_ = p.Wait()
}

// Stop sends SIGTERM and waits up to grace for the process to exit, then kills it.
func (p *Process) Stop(grace time.Duration) {
	done := p.Exited()
	if done == nil {
		return
	}
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		p.Kill()
	}
}

// freeAddr is a loopback host:port nothing listens on: one the kernel just gave out and took back.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
