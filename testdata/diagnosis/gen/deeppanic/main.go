// deeppanic is a small HTTP service whose requests panic at the bottom of a deep recursion,
// for the panic fixture of gorca's diagnosis tests: GET /eval walks a 3000-deep chain of
// discount rules recursively and the last rule, half-configured, dereferences a nil pointer.
// A recovery middleware answers 500 and formats the full stack for an error log. The
// recursion is deeper than the CPU profiler keeps (64 frames), so the samples inside the
// panic do not reach the request's root frames. Latency stays low: the problem is the failing
// requests and the CPU their panics burn.
//
// With -dump-all the middleware writes every goroutine's stack instead (runtime.Stack with
// all=true stops the world and walks -parked idle goroutines): then the panics cost the
// other requests CPU and latency.
//
// Listens on 127.0.0.1 (random port), mounts net/http/pprof, prints one JSON ready line like
// the scenario service, exits after -max-lifetime.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

type rule struct {
	next    *rule
	percent *int // nil in the half-migrated last rule
}

func chain(depth int) *rule {
	var head *rule
	for i := 0; i < depth; i++ {
		p := i % 7
		r := &rule{next: head, percent: &p}
		if i == 0 {
			r.percent = nil
		}
		head = r
	}
	return head
}

func (r *rule) apply(price int) int {
	if r == nil {
		return price
	}
	return r.next.apply(price - price**r.percent/100)
}

var errLog struct {
	sync.Mutex
	w io.Writer
	n int
}

var dumpAll bool

func stack() string {
	if !dumpAll {
		return string(debug.Stack())
	}
	buf := make([]byte, 4<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

func recovering(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				st := stack()
				errLog.Lock()
				errLog.n++
				fmt.Fprintf(errLog.w, "panic #%d in %s: %v (%d stack lines)\n", errLog.n, r.URL.Path, v, strings.Count(st, "\n"))
				errLog.Unlock()
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h(w, r)
	}
}

func main() {
	depth := flag.Int("depth", 3000, "rules in the discount chain")
	life := flag.Duration("max-lifetime", 2*time.Minute, "exit after this long")
	flag.BoolVar(&dumpAll, "dump-all", false, "report every goroutine's stack on a panic")
	parked := flag.Int("parked", 0, "idle goroutines parked on a channel (connections, workers)")
	flag.Parse()
	idle := make(chan struct{})
	for i := 0; i < *parked; i++ {
		go func() { <-idle }()
	}
	errLog.w = io.Discard
	rules := chain(*depth)
	http.HandleFunc("/eval", recovering(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "{\"price\":%d}\n", rules.apply(10000))
	}))
	http.HandleFunc("/price", recovering(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "{\"price\":%d}\n", 10000)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	json.NewEncoder(os.Stdout).Encode(map[string]any{"event": "ready", "url": url,
		"paths": []string{"/eval", "/price", "/price"}, "go": runtime.Version(), "pid": os.Getpid()})
	go func() { time.Sleep(*life); os.Exit(0) }()
	log.Fatal(http.Serve(ln, nil))
}
