// Command trace_load is the busy Go program behind bench/trace.sh: many goroutines passing
// work over channels, a loopback HTTP server with concurrent clients, mutex contention and
// steady allocation (so GC cycles, mark assists and sweeps run), traced with runtime/trace
// until the trace file reaches -size bytes.
//
// usage: trace_load -o FILE -size BYTES
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

var sink atomic.Value

func pipeline(stop <-chan struct{}, width int) {
	in := make(chan []byte, 16)
	out := make(chan int, 16)
	var wg sync.WaitGroup
	for i := 0; i < width; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range in {
				s := 0
				for _, c := range b {
					s += int(c)
				}
				out <- s
			}
		}()
	}
	go func() {
		for range out {
		}
	}()
	for {
		select {
		case <-stop:
			close(in)
			wg.Wait()
			close(out)
			return
		case in <- make([]byte, 512):
		}
	}
}

func shortLived(stop <-chan struct{}) {
	var mu sync.Mutex
	total := 0
	for {
		select {
		case <-stop:
			return
		default:
		}
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				m := make(map[int][]byte, 8)
				for j := 0; j < 8; j++ {
					m[j] = make([]byte, 256)
				}
				mu.Lock()
				total += len(m) + i
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		sink.Store(total)
	}
}

func httpLoad(stop <-chan struct{}, clients int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 2048)
		fmt.Fprintf(w, "%d", len(buf))
	})}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String() + "/"
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.Get(url)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	srv.Close()
}

func main() {
	out := flag.String("o", "trace.out", "output file")
	size := flag.Int64("size", 200<<20, "stop once the trace has this many bytes")
	maxDur := flag.Duration("max", 5*time.Minute, "stop after this long regardless")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, fn := range []func(){
		func() { pipeline(stop, 8) },
		func() { pipeline(stop, 8) },
		func() { shortLived(stop) },
		func() { httpLoad(stop, 8) },
	} {
		wg.Add(1)
		go func(fn func()) { defer wg.Done(); fn() }(fn)
	}
	deadline := time.Now().Add(*maxDur)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if st, err := f.Stat(); err == nil && st.Size() >= *size {
			break
		}
	}
	close(stop)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
