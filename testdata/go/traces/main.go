// Command traces records Go execution traces that exercise every part of the trace format
// gorca reads: goroutine creation and exit, channels, select, mutexes, WaitGroup, loopback
// TCP and HTTP, blocking syscalls, syscalls that lose their P, GC with mark assists, STW
// pauses, GOMAXPROCS changes, user tasks/regions/logs, CPU profile samples inside the trace,
// coroutine switches (iter.Pull, Go 1.23+) and a second trace started after the first one
// stopped (its first generation is not 1).
//
// usage: traces -o DIR   (writes DIR/main.trace and DIR/restart.trace)
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

var sink []byte

// spawnAndExit creates short-lived goroutines that exit on their own.
func spawnAndExit(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sink = make([]byte, 64+i)
		}(i)
	}
	wg.Wait()
}

// channels runs a producer/consumer pair on an unbuffered channel and a select loop.
func channels() {
	ch := make(chan int)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := range ch {
			_ = v
		}
	}()
	for i := 0; i < 50; i++ {
		ch <- i
	}
	close(ch)
	<-done

	a, b := make(chan int), make(chan int)
	go func() {
		for i := 0; i < 20; i++ {
			if i%2 == 0 {
				a <- i
			} else {
				b <- i
			}
			time.Sleep(100 * time.Microsecond)
		}
		close(quit)
	}()
	for {
		select {
		case <-a:
		case <-b:
		case <-quit:
			return
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

// mutexes makes goroutines contend on a mutex that is held across a sleep.
func mutexes() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				mu.Lock()
				time.Sleep(200 * time.Microsecond)
				mu.Unlock()
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
}

// network serves an HTTP handler and a raw TCP echo on loopback and calls both.
func network(ctx context.Context) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		ctx, task := trace.NewTask(r.Context(), "httpHandler")
		defer task.End()
		trace.Log(ctx, "http.path", r.URL.Path)
		trace.WithRegion(ctx, "sleep", func() { time.Sleep(2 * time.Millisecond) })
		fmt.Fprintln(w, "ok")
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	client := &http.Client{}
	for i := 0; i < 5; i++ {
		resp, err := client.Get("http://" + ln.Addr().String() + "/work")
		if err != nil {
			log.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	srv.Shutdown(ctx)

	// Raw TCP echo: the reader blocks in the netpoller ("network").
	eln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		c, err := eln.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.Close()
	}()
	c, err := net.Dial("tcp", eln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	rd := bufio.NewReader(c)
	for i := 0; i < 5; i++ {
		fmt.Fprintf(c, "ping %d\n", i)
		if _, err := rd.ReadString('\n'); err != nil {
			log.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	c.Close()
	eln.Close()
}

// syscalls makes blocking syscalls: an fsync'd file write, and reads on a blocking pipe
// that last long enough for sysmon to take the P away (ProcSteal, GoSyscallEndBlocked).
func syscalls(dir string) {
	f, err := os.CreateTemp(dir, "fsync")
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		f.Write(make([]byte, 4096))
		f.Sync()
	}
	f.Close()
	os.Remove(f.Name())

	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		log.Fatal(err)
	}
	go func() {
		for i := 0; i < 3; i++ {
			time.Sleep(5 * time.Millisecond)
			syscall.Write(p[1], []byte{1})
		}
	}()
	buf := make([]byte, 1)
	for i := 0; i < 3; i++ {
		syscall.Read(p[0], buf)
	}
	syscall.Close(p[0])
	syscall.Close(p[1])
	ts := syscall.NsecToTimespec(int64(3 * time.Millisecond))
	syscall.Nanosleep(&ts, nil)
}

type node struct {
	next *node
	pad  [48]byte
}

// gcPressure allocates from several goroutines with a low GOGC so that background GC
// cycles run while they allocate and they must assist the marking.
func gcPressure() {
	old := debug.SetGCPercent(5)
	defer debug.SetGCPercent(old)
	var keep []*node
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var head *node
			for i := 0; i < 25000; i++ {
				head = &node{next: head}
				if i%1000 == 0 {
					mu.Lock()
					keep = append(keep, head)
					mu.Unlock()
					head = nil
				}
			}
		}()
	}
	wg.Wait()
	runtime.KeepAlive(keep)
	runtime.GC()
}

// stw stops the world for reasons other than GC.
func stw() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(n + 1)
	runtime.GOMAXPROCS(n)
}

// annotations nests regions inside tasks, logs, and ends a task on another goroutine.
func annotations(ctx context.Context) {
	ctx, task := trace.NewTask(ctx, "outer")
	trace.Logf(ctx, "phase", "step %d", 1)
	trace.WithRegion(ctx, "region-a", func() {
		r := trace.StartRegion(ctx, "region-b")
		time.Sleep(100 * time.Microsecond)
		r.End()
	})
	ctx2, child := trace.NewTask(ctx, "inner")
	trace.Log(ctx2, "", "no category")
	done := make(chan struct{})
	go func() {
		trace.WithRegion(ctx2, "in-goroutine", func() { time.Sleep(50 * time.Microsecond) })
		child.End()
		close(done)
	}()
	<-done
	trace.Log(context.Background(), "background", "no task")
	task.End()
}

// burnCPU spins so the CPU profiler takes samples inside the trace.
func burnCPU(d time.Duration) {
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 1
			for end := time.Now().Add(d); time.Now().Before(end); {
				for j := 0; j < 1000; j++ {
					x = x*31 + j
				}
			}
			sink = make([]byte, x&7)
		}()
	}
	wg.Wait()
}

func record(path string, body func()) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	body()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func main() {
	out := flag.String("o", ".", "output directory")
	flag.Parse()
	ctx := context.Background()
	record(filepath.Join(*out, "main.trace"), func() {
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			log.Fatal(err)
		}
		spawnAndExit(20)
		channels()
		mutexes()
		annotations(ctx)
		network(ctx)
		syscalls(*out)
		coroutines()
		burnCPU(60 * time.Millisecond)
		gcPressure()
		stw()
		time.Sleep(20 * time.Millisecond)
		pprof.StopCPUProfile()
	})
	// A second session in the same process: its generations continue the numbering.
	record(filepath.Join(*out, "restart.trace"), func() {
		spawnAndExit(5)
		channels()
		annotations(ctx)
		time.Sleep(10 * time.Millisecond)
	})
}
