// Package svc is the process plumbing the holdout services share and nothing more: loopback
// listeners, the JSON ready line on stdout, a lifetime limit with signal handling, explicit
// pprof mounts under any prefix, and helper child processes (an upstream, a DNS server) whose
// life is tied to the parent's through their stdin.
package svc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Faults handles a service's -list and -fault flags: with list it prints the faults (name and
// what it does, sorted) and exits; an unknown fault is fatal.
func Faults(faults map[string]string, fault string, list bool) {
	if list {
		names := make([]string, 0, len(faults))
		width := 0
		for k := range faults {
			names = append(names, k)
			width = max(width, len(k))
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Printf("%-*s %s\n", width, k, faults[k])
		}
		os.Exit(0)
	}
	if _, ok := faults[fault]; !ok {
		log.Fatalf("unknown -fault %q (see -list)", fault)
	}
}

// Listen opens a TCP listener on a loopback address ("" = 127.0.0.1 on a random port). Any
// other address is refused: these services inject real faults and must never be reachable.
func Listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("refusing to listen on %q: loopback IP addresses only", addr)
	}
	return net.Listen("tcp", addr)
}

// Ready prints the one machine-readable line a driver waits for. The fields every service
// sets: url (the API), pprof_url (what `gorca capture` takes), addr, pprof (the prefix).
func Ready(fields map[string]any) {
	fields["event"] = "ready"
	fields["pid"] = os.Getpid()
	fields["go"] = runtime.Version()
	fields["gomaxprocs"] = runtime.GOMAXPROCS(0)
	b, err := json.Marshal(fields)
	if err != nil {
		log.Fatalf("ready line: %v", err)
	}
	os.Stdout.Write(append(b, '\n'))
}

var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

// AtExit registers a function run (last registered first) before the process exits through
// Exit, a signal or the lifetime limit.
func AtExit(f func()) {
	cleanupMu.Lock()
	cleanups = append(cleanups, f)
	cleanupMu.Unlock()
}

// TempDir makes a fresh directory named after prefix that is removed when the process exits
// through Exit; it ends the process if the directory cannot be made.
func TempDir(prefix string) string {
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		log.Fatal(err)
	}
	AtExit(func() { os.RemoveAll(d) })
	return d
}

// Exit runs the AtExit functions and exits with code.
func Exit(code int) {
	cleanupMu.Lock()
	fs := cleanups
	cleanups = nil
	cleanupMu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
	os.Exit(code)
}

// Lifetime makes the process exit cleanly on SIGINT/SIGTERM, and in any case after max, so a
// crashed driver cannot leave a faulty service running for long.
func Lifetime(max time.Duration) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sig:
			log.Printf("exiting on %v", s)
		case <-time.After(max):
			log.Printf("exiting: lifetime limit %v reached", max)
		}
		Exit(0)
	}()
}

// Serve runs an http.Server on ln in the background and logs unexpected errors.
func Serve(srv *http.Server, ln net.Listener) {
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("serve %s: %v", ln.Addr(), err)
		}
	}()
}

// MountPprof registers every net/http/pprof endpoint on mux under prefix (no trailing slash,
// e.g. "/internal/pprof"), one explicit handler per profile, so any prefix works.
func MountPprof(mux *http.ServeMux, prefix string) {
	prefix = strings.TrimRight(prefix, "/")
	mux.HandleFunc(prefix+"/", pprof.Index)
	mux.HandleFunc(prefix+"/cmdline", pprof.Cmdline)
	mux.HandleFunc(prefix+"/profile", pprof.Profile)
	mux.HandleFunc(prefix+"/symbol", pprof.Symbol)
	mux.HandleFunc(prefix+"/trace", pprof.Trace)
	for _, name := range []string{"goroutine", "heap", "allocs", "threadcreate", "block", "mutex"} {
		mux.Handle(prefix+"/"+name, pprof.Handler(name))
	}
}

// Child is a helper process: this same executable started with -role ROLE.
type Child struct {
	Ready map[string]any
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// Spawn starts the current executable with "-role role args..." and waits (15 s at most) for
// its ready line. The child exits when its stdin closes, so it never outlives this process.
func Spawn(role string, args ...string) (*Child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, append([]string{"-role", role}, args...)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &Child{cmd: cmd, stdin: stdin}
	lines := make(chan map[string]any, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["event"] == "ready" {
				lines <- m
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case m := <-lines:
		c.Ready = m
		AtExit(c.Stop)
		return c, nil
	case <-time.After(15 * time.Second):
		c.Stop()
		return nil, fmt.Errorf("child %s: no ready line within 15s", role)
	}
}

// String returns a ready-line field as a string ("" when absent).
func (c *Child) String(field string) string {
	s, _ := c.Ready[field].(string)
	return s
}

// Stop ends the child and reaps it.
func (c *Child) Stop() {
	c.stdin.Close()
	c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// DieWithParent makes a child process exit when its stdin reaches EOF (the parent is gone).
func DieWithParent() {
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
}
