// Fixture generator for gorca's trace analyses (issue 4). It records an execution trace, with
// CPU profiling on, of a program whose phases are built to show one behaviour each, so the
// tests can assert what the program is known to do:
//
//   - HTTP phase: a plain net/http server with handlers of known cost (/sleep sleeps 120 ms,
//     /cpu burns 50 ms of CPU, /mutex waits about 40 ms on a mutex, /alloc allocates,
//     /task is instrumented with a runtime/trace task and region and sleeps 30 ms), called
//     over two keep-alive connections; meanwhile goroutines block in every class: network
//     (TCP and pipe reads), mutex, chan send, chan receive, select, sync.Cond, WaitGroup,
//     syscalls (file write + fsync, a 10 ms nanosleep that loses its P).
//   - GC phase: allocators keep a live heap while churning garbage, so the GC runs cycles
//     with mark assists; runtime.GC and runtime.ReadMemStats add STW pauses.
//   - Starvation phase: with GOMAXPROCS 2, six CPU-bound goroutines wait for a P.
//
// Standard library only; built and run by gen.sh with GOTOOLCHAIN=local GOPROXY=off.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

var sink []byte

// spin burns CPU on the calling goroutine for d of wall time.
func spin(d time.Duration) uint64 {
	var x uint64 = 1
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	return x
}

var spinSink uint64

// ---- HTTP phase ---------------------------------------------------------------------------

var handlerMu sync.Mutex

func sleepHandler(w http.ResponseWriter, r *http.Request) {
	time.Sleep(120 * time.Millisecond)
	io.WriteString(w, "slept\n")
}

func cpuHandler(w http.ResponseWriter, r *http.Request) {
	spinSink += spin(50 * time.Millisecond)
	io.WriteString(w, "burned\n")
}

func mutexHandler(w http.ResponseWriter, r *http.Request) {
	held := make(chan struct{})
	go func() {
		handlerMu.Lock()
		close(held)
		time.Sleep(40 * time.Millisecond)
		handlerMu.Unlock()
	}()
	<-held
	handlerMu.Lock()
	handlerMu.Unlock()
	io.WriteString(w, "locked\n")
}

func allocHandler(w http.ResponseWriter, r *http.Request) {
	var keep [][]byte
	for i := 0; i < 2000; i++ {
		keep = append(keep, make([]byte, 4096))
	}
	sink = keep[len(keep)-1]
	io.WriteString(w, "allocated\n")
}

func taskHandler(w http.ResponseWriter, r *http.Request) {
	ctx, task := trace.NewTask(r.Context(), "GET /task")
	defer task.End()
	trace.Log(ctx, "http.path", r.URL.Path)
	trace.WithRegion(ctx, "handler", func() {
		time.Sleep(30 * time.Millisecond)
	})
	io.WriteString(w, "tasked\n")
}

func get(c *http.Client, base, path string) {
	resp, err := c.Get(base + path)
	if err != nil {
		log.Fatalf("GET %s: %v", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func httpPhase() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/sleep", sleepHandler)
	mux.HandleFunc("/cpu", cpuHandler)
	mux.HandleFunc("/mutex", mutexHandler)
	mux.HandleFunc("/alloc", allocHandler)
	mux.HandleFunc("/task", taskHandler)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // connection 1: one request of each kind, in order
		defer wg.Done()
		c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		for _, p := range []string{"/sleep", "/cpu", "/mutex", "/alloc", "/task", "/sleep"} {
			get(c, base, p)
		}
		c.CloseIdleConnections()
	}()
	go func() { // connection 2: a second conn.serve goroutine
		defer wg.Done()
		time.Sleep(10 * time.Millisecond)
		c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		for _, p := range []string{"/task", "/sleep", "/alloc"} {
			get(c, base, p)
		}
		c.CloseIdleConnections()
	}()
	wg.Wait()
	srv.Close()
}

// ---- blocking classes ---------------------------------------------------------------------

func chanSender(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		ch <- i // the receiver is slow: blocked "chan send"
	}
	close(ch)
}

func slowReceiver(ch <-chan int) {
	for range ch {
		time.Sleep(8 * time.Millisecond)
	}
}

func chanReceiver(ch <-chan int, done chan<- struct{}) {
	for range ch { // the producer is slow: blocked "chan receive"
	}
	close(done)
}

func slowProducer(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		time.Sleep(9 * time.Millisecond)
		ch <- i
	}
	close(ch)
}

func selectWaiter(a, b <-chan int, n int) {
	for i := 0; i < n; i++ {
		select { // blocked "select"
		case <-a:
		case <-b:
		}
	}
}

func condWaiter(mu *sync.Mutex, c *sync.Cond, ready *int, want int) {
	mu.Lock()
	for *ready < want {
		c.Wait() // blocked "sync.(*Cond).Wait"
	}
	mu.Unlock()
}

func wgWaiter(wg *sync.WaitGroup, done chan<- struct{}) {
	wg.Wait() // blocked "sync"
	close(done)
}

func mutexContender(mu *sync.Mutex, n int) {
	for i := 0; i < n; i++ {
		mu.Lock() // blocked "sync"
		time.Sleep(3 * time.Millisecond)
		mu.Unlock()
	}
}

func tcpReader(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		if _, err := r.ReadString('\n'); err != nil { // blocked "network"
			return
		}
	}
}

func tcpWriter(c net.Conn, n int) {
	for i := 0; i < n; i++ {
		time.Sleep(11 * time.Millisecond)
		fmt.Fprintf(c, "line %d\n", i)
	}
	c.Close()
}

func pipeReader(r *os.File) {
	buf := make([]byte, 64)
	for {
		if _, err := r.Read(buf); err != nil { // blocked "network" (pipes use the netpoller)
			return
		}
	}
}

func pipeWriter(w *os.File, n int) {
	for i := 0; i < n; i++ {
		time.Sleep(13 * time.Millisecond)
		w.Write([]byte("x"))
	}
	w.Close()
}

func fsyncer(dir string, n int) {
	f, err := os.Create(filepath.Join(dir, "fsync.dat"))
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	for i := 0; i < n; i++ {
		f.Write(buf) // syscall
		f.Sync()     // syscall, usually long enough to lose the P
	}
	f.Close()
}

func sleeper(n int) {
	ts := syscall.Timespec{Nsec: 10e6}
	for i := 0; i < n; i++ {
		// A raw 10 ms nanosleep: a blocking syscall whose P sysmon retakes.
		syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
	}
}

func blockingClasses(dir string) *sync.WaitGroup {
	var all sync.WaitGroup
	run := func(f func()) {
		all.Add(1)
		go func() { defer all.Done(); f() }()
	}

	sendCh := make(chan int)
	go chanSender(sendCh, 30)
	run(func() { slowReceiver(sendCh) })

	recvCh := make(chan int)
	recvDone := make(chan struct{})
	go chanReceiver(recvCh, recvDone)
	go slowProducer(recvCh, 30)
	run(func() { <-recvDone })

	a, b := make(chan int), make(chan int)
	go selectWaiter(a, b, 20)
	run(func() {
		for i := 0; i < 20; i++ {
			time.Sleep(7 * time.Millisecond)
			if i%2 == 0 {
				a <- i
			} else {
				b <- i
			}
		}
	})

	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready := 0
	for i := 0; i < 3; i++ {
		go condWaiter(&cmu, cond, &ready, 10)
	}
	run(func() {
		for i := 0; i < 10; i++ {
			time.Sleep(10 * time.Millisecond)
			cmu.Lock()
			ready++
			cmu.Unlock()
			cond.Broadcast()
		}
	})

	var work sync.WaitGroup
	work.Add(4)
	wgDone := make(chan struct{})
	go wgWaiter(&work, wgDone)
	for i := 0; i < 4; i++ {
		d := time.Duration(20*(i+1)) * time.Millisecond
		go func() { time.Sleep(d); work.Done() }()
	}
	run(func() { <-wgDone })

	var mu sync.Mutex
	for i := 0; i < 4; i++ {
		run(func() { mutexContender(&mu, 15) })
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	accepted := make(chan net.Conn)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		accepted <- c
		ln.Close()
	}()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	sc := <-accepted
	run(func() { tcpReader(sc) })
	go tcpWriter(cc, 25)

	pr, pw, err := os.Pipe()
	if err != nil {
		log.Fatal(err)
	}
	run(func() { pipeReader(pr) })
	go pipeWriter(pw, 20)

	run(func() { fsyncer(dir, 12) })
	run(func() { sleeper(15) })
	return &all
}

// ---- GC phase -----------------------------------------------------------------------------

type node struct {
	next *node
	data [48]byte
}

func allocator(keep int, rounds int) {
	live := make([]*node, keep)
	for r := 0; r < rounds; r++ {
		for i := range live {
			n := &node{next: live[(i+1)%len(live)]}
			live[i] = n
			if i%64 == 0 {
				sink = make([]byte, 1024)
			}
		}
	}
	sink = make([]byte, len(live)%7)
}

func gcPhase() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); allocator(60000, 8) }()
	}
	time.Sleep(20 * time.Millisecond)
	runtime.GC() // a forced cycle: STW pauses and "wait until GC ends"
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // a "read mem stats" STW
	wg.Wait()
}

// ---- starvation phase ---------------------------------------------------------------------

func cpuHog(d time.Duration, wg *sync.WaitGroup) {
	defer wg.Done()
	spinSink += spin(d)
}

func starvationPhase() {
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go cpuHog(150*time.Millisecond, &wg)
	}
	wg.Wait()
}

func main() {
	out := flag.String("o", "analysis.trace", "trace output file")
	flag.Parse()
	runtime.GOMAXPROCS(2)

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "gorca-analysis")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	start := time.Now()

	classes := blockingClasses(dir)
	httpPhase()
	classes.Wait()
	gcPhase()
	starvationPhase()
	// Cross a generation boundary (the runtime starts a new one about every second).
	if d := 1300*time.Millisecond - time.Since(start); d > 0 {
		time.Sleep(d)
	}

	trace.Stop()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
