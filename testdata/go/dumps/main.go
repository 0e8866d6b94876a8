// Command dumps parks goroutines in every way the Go runtime reports (a "zoo"), then either
// serves net/http/pprof on loopback so gen.sh can fetch goroutine dumps (mode serve), or
// crashes in a chosen way (the other modes) so the crash traceback can be recorded.
//
// Every blocking line carries a "FACT:<name>" comment; tests locate those lines by the marker
// and assert that the dumps show exactly the counts below at exactly those lines.
//
// Standard library only; runs under Go 1.21 and later.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Counts of goroutines per blocking site; tests read them from facts.txt written by gen.sh.
const (
	nMutex    = 7   // sync.Mutex.Lock in (*server).hold
	nRLock    = 4   // sync.RWMutex.RLock behind a pending writer
	nRWLock   = 1   // sync.RWMutex.Lock waiting for a reader
	nRecv     = 5   // chan receive in generic waitOn[int]
	nSend     = 4   // chan send in a closure
	nNilRecv  = 2   // chan receive (nil chan)
	nSelect   = 3   // select in a method of a generic type
	nNoCases  = 1   // select (no cases)
	nCond     = 2   // sync.Cond.Wait
	nWaitGrp  = 3   // sync.WaitGroup.Wait (semacquire before Go 1.24)
	nSleep    = 6   // time.Sleep
	nNetRead  = 2   // IO wait in net.(*conn).Read
	nLabeled  = 2   // chan receive under pprof.Do labels
	recursion = 110 // more than 100 frames: the traceback elides the middle
)

var (
	never  = make(chan int) // nobody ever sends or closes
	unbuf  = make(chan int) // nobody ever receives
	nilch  chan int
	ready  sync.WaitGroup
	stop   atomic.Bool
	keep   []any // keeps conns, pipes and iterators reachable; append only through hold
	keepMu sync.Mutex
)

type server struct{ mu sync.Mutex }

// hold is where nMutex goroutines wait for a mutex that main holds forever.
//
//go:noinline
func (s *server) hold() {
	ready.Done()
	s.mu.Lock() // FACT:mutex
	s.mu.Unlock()
}

// waitOn is small enough to be inlined, so its frame prints as "main.waitOn[...](...)".
func waitOn[T any](ch chan T) T {
	return <-ch // FACT:generic-recv
}

type box[T any] struct{ a, b chan T }

//go:noinline
func (b *box[T]) waitSelect() {
	ready.Done()
	select { // FACT:select-stmt
	case <-b.a: // FACT:select
	case <-b.b:
	}
}

//go:noinline
func blockForever() {
	ready.Done()
	select {} // FACT:select-no-cases
}

//go:noinline
func (s *server) nap(d time.Duration) {
	ready.Done()
	time.Sleep(d) // FACT:sleep
}

//go:noinline
func recurse(n int) int {
	if n == 0 {
		ready.Done()
		return <-never // FACT:recurse-leaf
	}
	return recurse(n-1) + 1 // FACT:recurse-step
}

// spawnChain starts a goroutine that starts a goroutine that parks, so that
// GODEBUG=tracebackancestors shows "[originating from goroutine N]" sections.
func spawnChain(depth int) {
	if depth == 0 {
		ready.Done()
		<-never // FACT:ancestor-leaf
		return
	}
	done := make(chan struct{})
	go func() { // FACT:ancestor-go
		defer close(done)
		spawnChain(depth - 1)
	}()
	if depth > 1 {
		<-done
	}
}

// buildZoo parks the goroutines; deep adds the 110-frame recursion (elided tracebacks).
func buildZoo(deep bool) {
	s := &server{}
	s.mu.Lock() // held forever
	for i := 0; i < nMutex; i++ {
		ready.Add(1)
		go s.hold() // FACT:go-mutex
	}

	// A reader holds rw; a writer queues behind it; later readers queue behind the writer.
	var rw sync.RWMutex
	rlocked := make(chan struct{})
	go func() {
		rw.RLock()
		close(rlocked)
		<-never
	}()
	<-rlocked
	ready.Add(1)
	go func() {
		ready.Done()
		rw.Lock() // FACT:rwmutex-lock
	}()
	waitParked("sync.(*RWMutex).Lock", 1)
	for i := 0; i < nRLock; i++ {
		ready.Add(1)
		go func() {
			ready.Done()
			rw.RLock() // FACT:rwmutex-rlock
		}()
	}

	for i := 0; i < nRecv; i++ {
		ready.Add(1)
		go func() {
			ready.Done()
			waitOn(never)
		}()
	}
	for i := 0; i < nSend; i++ {
		ready.Add(1)
		go func(v int) {
			ready.Done()
			unbuf <- v // FACT:chan-send
		}(i)
	}
	for i := 0; i < nNilRecv; i++ {
		ready.Add(1)
		go func() {
			ready.Done()
			<-nilch // FACT:nil-recv
		}()
	}
	b := &box[string]{a: make(chan string), b: make(chan string)}
	for i := 0; i < nSelect; i++ {
		ready.Add(1)
		go b.waitSelect()
	}
	ready.Add(nNoCases)
	go blockForever()

	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	for i := 0; i < nCond; i++ {
		ready.Add(1)
		go func() {
			cmu.Lock()
			ready.Done()
			cond.Wait() // FACT:cond
			cmu.Unlock()
		}()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	for i := 0; i < nWaitGrp; i++ {
		ready.Add(1)
		go func() {
			ready.Done()
			wg.Wait() // FACT:waitgroup
		}()
	}
	for i := 0; i < nSleep; i++ {
		ready.Add(1)
		go s.nap(time.Hour)
	}

	buildIO()

	ready.Add(1)
	go func() {
		runtime.LockOSThread()
		ready.Done()
		<-never // FACT:locked
	}()

	if deep {
		ready.Add(1)
		go recurse(recursion)
	}

	for i := 0; i < nLabeled; i++ {
		ready.Add(1)
		go pprof.Do(context.Background(),
			pprof.Labels("req", strconv.Itoa(42+i), "who", "a\tb\"c\\ \u00fc"),
			func(context.Context) {
				ready.Done()
				<-never // FACT:labels
			})
	}

	ready.Add(1)
	go spawnChain(3)

	buildCoroutine()

	ready.Add(1)
	go leak()

	ready.Wait()
	runtime.GC() // starts the GC worker goroutines that system-level dumps show
	settle()
}

// leak parks a goroutine on a channel nothing else references: Go 1.26's experimental
// goroutine leak detector reports it as leaked.
func leak() {
	ch := make(chan int)
	go func() {
		ready.Done()
		<-ch // FACT:leak
	}()
}

// spawnDeep starts a goroutine from depth n of a recursion, so that the child's ancestor
// section (GODEBUG=tracebackancestors) is long enough to end in "...additional frames elided...".
//
//go:noinline
func spawnDeep(n int) {
	if n == 0 {
		go func() {
			ready.Done()
			<-never // FACT:deep-child
		}()
		<-never // FACT:deep-parent
	}
	spawnDeep(n - 1)
}

// ancestors writes runtime.Stack(all) of a small zoo to path; run it with
// GODEBUG=tracebackancestors=N to get "[originating from goroutine N]" sections.
func ancestors(path string) {
	ready.Add(1)
	go spawnChain(3)
	ready.Add(1)
	go spawnDeep(60)
	ready.Wait()
	time.Sleep(100 * time.Millisecond)
	writeStack(path)
}

// hold keeps values reachable. The accept loop and the main goroutine both call it, and a
// value lost to an unsynchronized append would be finalized by the next GC (closing a conn
// wakes its reader, and the dump then misses an IO-wait goroutine).
func hold(v ...any) {
	keepMu.Lock()
	keep = append(keep, v...)
	keepMu.Unlock()
}

func writeStack(path string) {
	buf := make([]byte, 4<<20)
	n := runtime.Stack(buf, true)
	if err := os.WriteFile(path, buf[:n], 0o644); err != nil {
		fatal(err)
	}
}

// buildIO parks goroutines on the network poller (TCP reads, accept, a pipe) and in a raw
// blocking read(2).
func buildIO() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	hold(ln)
	ready.Add(1)
	go func() {
		for i := 0; ; i++ {
			if i == nNetRead {
				ready.Done()
			}
			c, err := ln.Accept() // FACT:net-accept
			if err != nil {
				return
			}
			hold(c)
		}
	}()
	for i := 0; i < nNetRead; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			fatal(err)
		}
		hold(c)
		ready.Add(1)
		go func() {
			buf := make([]byte, 1)
			ready.Done()
			c.Read(buf) // FACT:net-read
		}()
	}

	pr, pw, err := os.Pipe()
	if err != nil {
		fatal(err)
	}
	hold(pr, pw)
	ready.Add(1)
	go func() {
		buf := make([]byte, 1)
		ready.Done()
		pr.Read(buf) // FACT:pipe-read
	}()

	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		fatal(err)
	}
	ready.Add(1)
	go func() {
		buf := make([]byte, 1)
		ready.Done()
		syscall.Read(fds[0], buf) // FACT:syscall-read
	}()
}

// waitParked polls the goroutine dump until n goroutines show frame in their stacks.
func waitParked(frame string, n int) {
	buf := make([]byte, 1<<20)
	for i := 0; i < 500; i++ {
		k := runtime.Stack(buf, true)
		if countSubstr(string(buf[:k]), frame+"(") >= n {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	fatal(fmt.Errorf("goroutines never parked in %s", frame))
}

func countSubstr(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "dumps:", err)
	os.Exit(1)
}

// T.Get is a value method; calling it through a nil *T panics inside the autogenerated
// pointer wrapper, whose frame prints as <autogenerated>:1.
type T struct{ v int }

func (t T) Get() int { return t.v }

type getter interface{ Get() int }

// asGetter hides the dynamic type from the compiler so the call goes through the wrapper.
//
//go:noinline
func asGetter(p *T) getter { return p }

//go:noinline
func deref(p *int) int {
	return *p + 1 // FACT:nil-deref
}

//go:noinline
func overflow(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	return overflow(n+1) + int(pad[0]) // FACT:overflow
}

func crash(kind string) {
	switch kind {
	case "panic":
		buildZoo(false)
		panic(errors.New("zoo failed:\nsecond line of the message")) // FACT:panic
	case "nilderef":
		var p *int
		fmt.Println(deref(p))
	case "autogen":
		var tp *T
		fmt.Println(asGetter(tp).Get())
	case "repanic":
		defer func() {
			r := recover()
			panic(fmt.Errorf("again: %v", r)) // FACT:repanic
		}()
		panic("first")
	case "repanic-same":
		defer func() {
			r := recover()
			panic(r) // FACT:repanic-same
		}()
		panic(T{7})
	case "deadlock":
		var mu sync.Mutex
		mu.Lock()
		for i := 0; i < 3; i++ {
			go func() {
				mu.Lock() // FACT:deadlock-mutex
			}()
		}
		time.Sleep(50 * time.Millisecond)
		<-never // FACT:deadlock-main
	case "mapwrites":
		m := map[int]int{}
		for i := 0; i < 4; i++ {
			go func(i int) {
				for j := 0; ; j++ {
					m[j%1024] = i // FACT:map-write
				}
			}(i)
		}
		time.Sleep(10 * time.Second)
		fatal(errors.New("concurrent map writes were not detected"))
	case "sigquit":
		buildZoo(false)
		syscall.Kill(os.Getpid(), syscall.SIGQUIT)
		time.Sleep(10 * time.Second)
	case "overflow":
		debug.SetMaxStack(64 << 10)
		overflow(0)
	default:
		fatal(fmt.Errorf("unknown crash kind %q", kind))
	}
}

// serve builds the zoo, then serves
// net/http/pprof on loopback until GET /quit. The address goes to outdir/addr.
func serve(outdir string, minutes bool) {
	buildZoo(true)
	if minutes {
		// Wait reasons only show "N minutes" once a GC has stamped the waiting goroutines.
		for i := 0; i < 14; i++ {
			runtime.GC()
			time.Sleep(5 * time.Second)
		}
		runtime.GC()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	http.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		stop.Store(true)
		fmt.Fprintln(w, "bye")
		go func() {
			time.Sleep(50 * time.Millisecond)
			os.Exit(0)
		}()
	})
	if err := os.WriteFile(outdir+"/addr", []byte(ln.Addr().String()), 0o644); err != nil {
		fatal(err)
	}
	fatal(http.Serve(ln, nil))
}

func main() {
	if len(os.Args) < 2 {
		fatal(errors.New("usage: dumps serve OUTDIR [minutes] | crash KIND | ancestors FILE"))
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2], len(os.Args) > 3 && os.Args[3] == "minutes")
	case "crash":
		crash(os.Args[2])
	case "ancestors":
		ancestors(os.Args[2])
	default:
		fatal(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
}

// settle waits until no goroutine but the caller is running or runnable in three successive
// dumps 10 ms apart (at most 5 s), so every zoo goroutine is parked when the dumps are taken.
func settle() {
	buf := make([]byte, 1<<20)
	quiet := 0
	for i := 0; i < 500 && quiet < 3; i++ {
		time.Sleep(10 * time.Millisecond)
		n := runtime.Stack(buf, true)
		busy := countSubstr(string(buf[:n]), " [runnable") + countSubstr(string(buf[:n]), " [running") - 1
		if busy <= 0 {
			quiet++
		} else {
			quiet = 0
		}
	}
}
