// Command profiles produces real pprof profiles of every kind net/http/pprof serves, for gorca's
// fixtures: cpu (two windows, for merge and -base tests), heap, allocs, block, mutex, goroutine,
// threadcreate, and the delta profiles of ?seconds=N fetched over loopback. The code is shaped
// to exercise what readers get wrong: pprof labels, inlined functions, generics (shape-named
// symbols), closures, pointer-receiver methods, and a compiler-generated symbol whose name holds
// spaces and ';' (the hash function of an anonymous struct map key).
//
// usage: profiles OUTDIR
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// server is the shared state: one contended mutex, one RWMutex, retained memory.
type server struct {
	mu    sync.Mutex
	rw    sync.RWMutex
	cache map[int][]byte
	hits  uint64
}

// mix is small enough to be inlined into its callers.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 29
	return x
}

// spin burns CPU for about d.
func spin(d time.Duration) uint64 {
	var acc uint64
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 2000; i++ {
			acc += mix(uint64(i) + acc)
		}
	}
	return acc
}

// hold is a pointer-receiver method that keeps the mutex for a while: the mutex profile shows
// its Unlock, the block profile the waiters' Lock.
func (s *server) hold(d time.Duration) {
	s.mu.Lock()
	s.hits += spin(d)
	s.mu.Unlock()
}

// read takes the read lock while writers are active.
func (s *server) read(d time.Duration) {
	s.rw.RLock()
	time.Sleep(d)
	s.rw.RUnlock()
}

func (s *server) write(d time.Duration) {
	s.rw.Lock()
	spin(d)
	s.rw.Unlock()
}

// sum is generic: profiles name its instantiations by shape (main.sum[go.shape.int]).
func sum[T int | uint64 | float64](xs []T) T {
	var t T
	for _, x := range xs {
		t += x
	}
	return t
}

// box is a generic type with a blocking pointer method.
type box[T any] struct{ ch chan T }

func (b *box[T]) wait() T { return <-b.ch }

func (b *box[T]) waitSelect(stop chan struct{}) {
	select {
	case <-b.ch:
	case <-stop:
	}
}

type key struct {
	id   int
	name string
}

// lookups hashes anonymous-struct keys, whose generated hash function has a name with spaces.
func lookups(n int) int {
	m := map[struct {
		a int
		b string
	}]int{}
	names := []string{"alpha", "beta", "gamma", "delta"}
	for i := 0; i < n; i++ {
		m[struct {
			a int
			b string
		}{i % 512, names[i%4]}] += i
	}
	return len(m)
}

func crunch(d time.Duration) uint64 {
	ints := make([]int, 4096)
	floats := make([]float64, 4096)
	for i := range ints {
		ints[i] = i
		floats[i] = float64(i) / 3
	}
	var acc uint64
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		acc += uint64(sum(ints)) + uint64(sum(floats))
		acc += uint64(lookups(2000))
	}
	return acc
}

// retain allocates memory that stays live (heap in-use).
func (s *server) retain(n, size int) {
	for i := 0; i < n; i++ {
		s.cache[len(s.cache)] = make([]byte, size)
	}
}

// release drops retained memory (negative in-use in a heap delta).
func (s *server) release(n int) {
	for k := range s.cache {
		if n == 0 {
			break
		}
		delete(s.cache, k)
		n--
	}
}

var sink []*key

// churn allocates garbage (allocs profile).
func churn(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, &key{id: i, name: fmt.Sprint(i)})
		if len(sink) > 1000 {
			sink = sink[:0]
		}
	}
}

// cpuWork runs labelled CPU burners until stop is closed.
func cpuWork(s *server, stop chan struct{}, wg *sync.WaitGroup) {
	run := func(labels pprof.LabelSet, f func()) {
		wg.Add(1)
		go pprof.Do(context.Background(), labels, func(context.Context) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					f()
				}
			}
		})
	}
	run(pprof.Labels("worker", "spin", "tenant", "acme"), func() { spin(20 * time.Millisecond) })
	run(pprof.Labels("worker", "crunch"), func() { crunch(20 * time.Millisecond) })
	run(pprof.Labels("worker", "locker"), func() {
		s.hold(2 * time.Millisecond)
		churn(200)
	})
}

// contention makes block and mutex events: lock waiters, channel and select waits, WaitGroup
// and Cond waits.
func contention(s *server, rounds int) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				s.hold(300 * time.Microsecond)
			}
		}()
	}
	for g := 0; g < 2; g++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds/2; i++ {
				s.read(200 * time.Microsecond)
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < rounds/4; i++ {
				s.write(300 * time.Microsecond)
			}
		}()
	}
	ch := make(chan int)
	b := &box[int]{ch: make(chan int)}
	stop := make(chan struct{})
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := 0; i < rounds; i++ {
			<-ch
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < rounds; i++ {
			b.waitSelect(stop)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < rounds; i++ {
			time.Sleep(100 * time.Microsecond)
			ch <- i
			b.ch <- i
		}
	}()
	cond := sync.NewCond(&sync.Mutex{})
	ready := false
	wg.Add(1)
	go func() {
		defer wg.Done()
		cond.L.Lock()
		for !ready {
			cond.Wait()
		}
		cond.L.Unlock()
	}()
	time.Sleep(time.Millisecond)
	cond.L.Lock()
	ready = true
	cond.Broadcast()
	cond.L.Unlock()
	wg.Wait()
	close(stop)
}

// parked starts n goroutines that block (with labels) until release is closed.
func parked(n int, release chan struct{}, kind string) {
	b := &box[string]{ch: make(chan string)}
	for i := 0; i < n; i++ {
		labels := pprof.Labels("parked", kind)
		go pprof.Do(context.Background(), labels, func(context.Context) {
			switch kind {
			case "generic":
				go func() { <-release; close(b.ch) }()
				b.wait()
			default:
				<-release
			}
		})
	}
}

func write(dir, name string, p *pprof.Profile) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	if err := p.WriteTo(f, 0); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func cpuProfile(dir, name string, s *server, d time.Duration) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	cpuWork(s, stop, &wg)
	time.Sleep(d)
	close(stop)
	wg.Wait()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		panic(err)
	}
}

// fetch downloads url into dir/name.
func fetch(url, dir, name string, wg *sync.WaitGroup) {
	defer wg.Done()
	resp, err := http.Get(url)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		panic(fmt.Sprintf("%s: %s: %s", url, resp.Status, b))
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func main() {
	runtime.MemProfileRate = 32 * 1024
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: profiles OUTDIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	s := &server{cache: map[int][]byte{}}
	s.retain(200, 4096)
	churn(5000)
	contention(s, 40)
	release1 := make(chan struct{})
	release2 := make(chan struct{})
	parked(5, release1, "generic")
	parked(3, release2, "plain")
	runtime.GC()

	// Delta profiles over loopback while the process keeps working.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, nil)
	base := "http://" + ln.Addr().String() + "/debug/pprof/"
	var fetches sync.WaitGroup
	for _, p := range []string{"heap", "allocs", "block", "mutex", "goroutine", "threadcreate"} {
		fetches.Add(1)
		go fetch(base+p+"?seconds=1", dir, "delta-"+p+".pb.gz", &fetches)
	}
	time.Sleep(50 * time.Millisecond)
	cpuProfile(dir, "cpu.pb.gz", s, 700*time.Millisecond)
	s.retain(100, 8192)
	s.release(150)
	close(release2) // fewer goroutines: negative goroutine delta
	parked(2, make(chan struct{}), "late")
	contention(s, 20)
	runtime.GC()
	fetches.Wait()

	cpuProfile(dir, "cpu2.pb.gz", s, 300*time.Millisecond)
	runtime.GC()
	for _, name := range []string{"heap", "allocs", "block", "mutex", "goroutine", "threadcreate"} {
		write(dir, name+".pb.gz", pprof.Lookup(name))
	}
	close(release1)
}
