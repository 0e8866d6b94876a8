// Fixture generator for gorca's trace analyses (issue 4). It records an execution trace, with
// CPU profiling on, of a program whose phases are built to show one behaviour each, so the
// tests can assert what the program is known to do:
//
//   - HTTP phase: a plain net/http server with handlers of known cost (/sleep sleeps 120 ms,
//     /cpu burns 50 ms of CPU, /mutex waits about 40 ms on a mutex, /alloc allocates,
//     /task is instrumented with a runtime/trace task and region and sleeps 30 ms, /db waits
//     about 40 ms for a slow TCP "database", /file writes and fsyncs a file, /upstream is a
//     method value behind a middleware calling a 30 ms upstream HTTP service), called over two
//     keep-alive connections, then two HTTP/2 requests (TLS) to a handler sleeping 20 ms; meanwhile goroutines block in every class: network
//     (TCP and pipe reads), mutex, chan send, chan receive, select, sync.Cond, WaitGroup,
//     syscalls (file write + fsync, a 10 ms nanosleep that loses its P).
//   - GC phase: allocators keep a live heap while churning garbage, so the GC runs cycles
//     with mark assists; runtime.GC and runtime.ReadMemStats add STW pauses.
//   - Starvation phase: with GOMAXPROCS 2 (4 before, while serving), six CPU-bound goroutines
//     wait for a P.
//
// Standard library only; built and run by gen.sh with GOTOOLCHAIN=local GOPROXY=off.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
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

// dbAddr is a slow line-protocol "database": it answers each query line after 40 ms.
var dbAddr string

func dbServer(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go dbConn(c)
	}
}

func dbConn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		if _, err := r.ReadString('\n'); err != nil {
			return
		}
		time.Sleep(40 * time.Millisecond)
		io.WriteString(c, "row\n")
	}
}

// dbHandler waits about 40 ms on the network inside the handler (an outbound call).
func dbHandler(w http.ResponseWriter, r *http.Request) {
	c, err := net.Dial("tcp", dbAddr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "SELECT 1\n")
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		log.Fatal(err)
	}
	io.WriteString(w, "queried\n")
}

// server's handlers are methods, registered as method values behind a middleware, the way
// real services are wired.
type server struct {
	upstream string
	client   *http.Client
}

// handleUpstream calls a slow upstream HTTP service (30 ms): the handler waits in the HTTP
// client's round trip while the transport's goroutines do the network reads.
func (s *server) handleUpstream(w http.ResponseWriter, r *http.Request) {
	resp, err := s.client.Get(s.upstream)
	if err != nil {
		log.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	io.WriteString(w, "upstream answered\n")
}

// logged is a middleware: it runs the next handler and counts requests.
var served int64

func logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		served++
	})
}

// h2Handler serves HTTP/2 requests (TLS): each runs on its own handler goroutine.
func h2Handler(w http.ResponseWriter, r *http.Request) {
	time.Sleep(20 * time.Millisecond)
	io.WriteString(w, "h2\n")
}

// selfSigned makes a throw-away certificate for 127.0.0.1.
func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "gorca fixture"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// h2Requests makes two HTTP/2 requests over one TLS connection.
func h2Requests() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(h2Handler),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{selfSigned()}}}
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{ForceAttemptHTTP2: true,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for i := 0; i < 2; i++ {
		resp, err := c.Get("https://" + ln.Addr().String() + "/h2")
		if err != nil {
			log.Fatal(err)
		}
		if resp.ProtoMajor != 2 {
			log.Fatalf("expected HTTP/2, got %s", resp.Proto)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	c.CloseIdleConnections()
}

var fileDir string

// fileHandler writes and fsyncs a file: syscall time inside the handler.
func fileHandler(w http.ResponseWriter, r *http.Request) {
	f, err := os.CreateTemp(fileDir, "req")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	buf := make([]byte, 256<<10)
	for i := 0; i < 4; i++ {
		f.Write(buf)
		f.Sync()
	}
	f.Close()
	io.WriteString(w, "synced\n")
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
	mux.HandleFunc("/db", dbHandler)
	mux.HandleFunc("/file", fileHandler)
	upln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	upstream := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond)
		io.WriteString(w, "ok\n")
	})}
	go upstream.Serve(upln)
	defer upstream.Close()
	s := &server{upstream: "http://" + upln.Addr().String() + "/", client: &http.Client{}}
	mux.Handle("/upstream", logged(http.HandlerFunc(s.handleUpstream)))
	srv := &http.Server{Handler: mux}
	dbln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer dbln.Close()
	dbAddr = dbln.Addr().String()
	go dbServer(dbln)
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // connection 1: one request of each kind, in order
		defer wg.Done()
		c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		for _, p := range []string{"/sleep", "/cpu", "/mutex", "/alloc", "/task", "/db", "/file", "/upstream", "/sleep"} {
			get(c, base, p)
		}
		c.CloseIdleConnections()
	}()
	go func() { // connection 2: a second conn.serve goroutine
		defer wg.Done()
		time.Sleep(10 * time.Millisecond)
		c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		for _, p := range []string{"/task", "/sleep", "/alloc", "/db"} {
			get(c, base, p)
		}
		c.CloseIdleConnections()
	}()
	wg.Wait()
	h2Requests()
	srv.Close()
}

// ---- blocking classes ---------------------------------------------------------------------
// Each goroutine is started directly on a named function, so its group name says what it does.

func chanSender(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		ch <- i // the receiver is slow: blocked "chan send"
	}
	close(ch)
}

func slowReceiver(ch <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for range ch {
		time.Sleep(8 * time.Millisecond)
	}
}

func chanReceiver(ch <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for range ch { // the producer is slow: blocked "chan receive"
	}
}

func slowProducer(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		time.Sleep(9 * time.Millisecond)
		ch <- i
	}
	close(ch)
}

func selectWaiter(a, b <-chan int, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		select { // blocked "select"
		case <-a:
		case <-b:
		}
	}
}

func selectFeeder(a, b chan<- int, n int) {
	for i := 0; i < n; i++ {
		time.Sleep(7 * time.Millisecond)
		if i%2 == 0 {
			a <- i
		} else {
			b <- i
		}
	}
}

func condWaiter(mu *sync.Mutex, c *sync.Cond, ready *int, want int, wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	for *ready < want {
		c.Wait() // blocked "sync.(*Cond).Wait"
	}
	mu.Unlock()
}

func condSignaller(mu *sync.Mutex, c *sync.Cond, ready *int, n int) {
	for i := 0; i < n; i++ {
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		*ready++
		mu.Unlock()
		c.Broadcast()
	}
}

func wgWaiter(work *sync.WaitGroup, wg *sync.WaitGroup) {
	defer wg.Done()
	work.Wait() // blocked "sync"
}

func worker(d time.Duration, work *sync.WaitGroup) {
	time.Sleep(d)
	work.Done()
}

func mutexContender(mu *sync.Mutex, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		mu.Lock() // blocked "sync"
		time.Sleep(3 * time.Millisecond)
		mu.Unlock()
	}
}

func tcpReader(c net.Conn, wg *sync.WaitGroup) {
	defer wg.Done()
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

func pipeReader(r *os.File, wg *sync.WaitGroup) {
	defer wg.Done()
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

func fsyncer(dir string, n int, wg *sync.WaitGroup) {
	defer wg.Done()
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

func sleeper(n int, wg *sync.WaitGroup) {
	defer wg.Done()
	ts := syscall.Timespec{Nsec: 10e6}
	for i := 0; i < n; i++ {
		// A raw 10 ms nanosleep: a blocking syscall whose P sysmon retakes.
		syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
	}
}

func tcpPair() (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		log.Fatal(err)
	}
	return sc, cc
}

func blockingClasses(dir string) *sync.WaitGroup {
	var all sync.WaitGroup
	all.Add(15)

	sendCh := make(chan int)
	go chanSender(sendCh, 30)
	go slowReceiver(sendCh, &all)

	recvCh := make(chan int)
	go chanReceiver(recvCh, &all)
	go slowProducer(recvCh, 30)

	a, b := make(chan int), make(chan int)
	go selectWaiter(a, b, 20, &all)
	go selectFeeder(a, b, 20)

	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready := 0
	for i := 0; i < 3; i++ {
		go condWaiter(&cmu, cond, &ready, 10, &all)
	}
	go condSignaller(&cmu, cond, &ready, 10)

	var work sync.WaitGroup
	work.Add(4)
	go wgWaiter(&work, &all)
	for i := 0; i < 4; i++ {
		go worker(time.Duration(20*(i+1))*time.Millisecond, &work)
	}

	var mu sync.Mutex
	for i := 0; i < 4; i++ {
		go mutexContender(&mu, 15, &all)
	}

	sc, cc := tcpPair()
	go tcpReader(sc, &all)
	go tcpWriter(cc, 25)

	pr, pw, err := os.Pipe()
	if err != nil {
		log.Fatal(err)
	}
	go pipeReader(pr, &all)
	go pipeWriter(pw, 20)

	go fsyncer(dir, 12, &all)
	go sleeper(15, &all)
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
	mini := flag.Bool("mini", false, "record a tiny trace (fuzz seed): a few waits, one request, one GC")
	edges := flag.Bool("edges", false, "record a trace whose waits cross its start and end (edgesTrace)")
	flag.Parse()
	if *mini {
		miniTrace(*out)
		return
	}
	if *edges {
		edgesTrace(*out)
		return
	}
	// Four Ps while serving HTTP (so handler timings are not distorted by CPU contention), then
	// two for the GC and starvation phases; the changes are "GOMAXPROCS" stop-the-world pauses.
	runtime.GOMAXPROCS(4)

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "gorca-analysis")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fileDir = dir
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
	runtime.GOMAXPROCS(2)
	gcPhase()
	starvationPhase()
	// Cross a generation boundary (the runtime starts a new one about every second).
	if d := 1300*time.Millisecond - time.Since(start); d > 0 {
		time.Sleep(d)
	}

	// Stop profiling first: the trace's CPU-sample reader then flushes every sample into it.
	pprof.StopCPUProfile()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// miniTrace records a trace of a few milliseconds with a little of everything (a channel and a
// mutex wait, a sleep, a pipe read, one HTTP request, a forced GC, a task): a small, complete
// seed for the analysis fuzzer.
func miniTrace(out string) {
	runtime.GOMAXPROCS(2)
	f, err := os.Create(out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(3)
	ch := make(chan int)
	go slowReceiver(ch, &wg)
	go chanSender(ch, 2)
	var mu sync.Mutex
	go mutexContender(&mu, 2, &wg)
	go mutexContender(&mu, 2, &wg)
	pr, pw, err := os.Pipe()
	if err != nil {
		log.Fatal(err)
	}
	wg.Add(1)
	go pipeReader(pr, &wg)
	go pipeWriter(pw, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(taskHandler)}
	go srv.Serve(ln)
	get(&http.Client{}, "http://"+ln.Addr().String(), "/task")
	runtime.GC()
	wg.Wait()
	srv.Close()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// ---- edges: waits that cross the trace's start and end ----------------------------------------

// rawSleep blocks in one nanosleep system call (not time.Sleep: the goroutine stays in the
// Syscall state the whole time).
func rawSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
}

// edgeHandler serves the one request of the edges trace: a 2.5 s system call that begins
// before the trace starts and ends after it stops.
func edgeHandler(w http.ResponseWriter, r *http.Request) {
	rawSleep(2500 * time.Millisecond)
	w.Write([]byte("ok"))
}

// leadSleeper is in a 300 ms system call that began 100 ms before the trace started.
func leadSleeper(wg *sync.WaitGroup) {
	defer wg.Done()
	rawSleep(300 * time.Millisecond)
}

// leadWaiter waits on a channel from before the trace starts until 200 ms into it.
func leadWaiter(release chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	<-release
}

// edgeWaiter waits on a channel from before the trace starts until after it stops.
func edgeWaiter(never chan int) {
	<-never
}

// edgesTrace records a trace of about 1.2 s (it crosses a generation boundary) in which
// nothing the waiting goroutines do is traced before their waits end: main.edgeHandler is in
// a system call for the whole trace (an HTTP request in flight from start to end),
// main.leadSleeper in one until about 200 ms in, main.leadWaiter blocked on a channel until
// 200 ms in and main.edgeWaiter blocked on one throughout. go tool trace leaves these waits
// out of its profiles (or counts them from the goroutine's first status); gorca's uncounted
// profiles and request accounting hold them.
func edgesTrace(out string) {
	runtime.GOMAXPROCS(2)
	f, err := os.Create(out)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(edgeHandler)}
	go srv.Serve(ln)
	served := make(chan struct{})
	go func() {
		get(&http.Client{}, "http://"+ln.Addr().String(), "/edge")
		close(served)
	}()
	var wg sync.WaitGroup
	release, never := make(chan int), make(chan int)
	wg.Add(2)
	go leadWaiter(release, &wg)
	go edgeWaiter(never)
	time.Sleep(100 * time.Millisecond) // the request is in its system call, the waiters wait
	go leadSleeper(&wg)
	time.Sleep(100 * time.Millisecond)
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	close(release)
	wg.Wait()
	time.Sleep(1000 * time.Millisecond)
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	<-served
	srv.Close()
}
