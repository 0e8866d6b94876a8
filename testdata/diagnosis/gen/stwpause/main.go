// stwpause is a small HTTP service whose GC stop-the-world pauses are long, for the gc_stw
// fixture of gorca's diagnosis tests. A background goroutine keeps copying a 192 MiB slice with
// one copy() call: memmove is not preemptible, so every stop-the-world waits for the copy in
// progress to finish. /work allocates 2 MiB of short-lived garbage per request and GOGC is low,
// so GC cycles (and their two stop-the-world pauses) come several times a second.
//
// Listens on 127.0.0.1 (random port), mounts net/http/pprof, prints one JSON ready line like
// the scenario service, exits after -max-lifetime.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

var sink [][]byte

func copier(mib int, rest time.Duration) {
	src := make([]byte, mib<<20)
	dst := make([]byte, mib<<20)
	for i := range src {
		src[i] = byte(i)
	}
	for {
		copyOnce(dst, src)
		src, dst = dst, src
		time.Sleep(rest)
	}
}

// copyOnce is one non-preemptible memmove. Not inlined: its prologue is the preemption point
// between two copies, so a stop-the-world waits for at most one copy.
//
//go:noinline
func copyOnce(dst, src []byte) {
	copy(dst, src)
}

func work(w http.ResponseWriter, r *http.Request) {
	buf := make([][]byte, 0, 64)
	for i := 0; i < 64; i++ {
		buf = append(buf, make([]byte, 32<<10))
	}
	sink = buf
	fmt.Fprintf(w, "{\"chunks\":%d}\n", len(buf))
}

func main() {
	mib := flag.Int("copy-mib", 192, "size of the slice copied in one call")
	rest := flag.Duration("rest", 50*time.Millisecond, "pause between two copies")
	gogc := flag.Int("gogc", 25, "GOGC")
	life := flag.Duration("max-lifetime", 2*time.Minute, "exit after this long")
	flag.Parse()
	debug.SetGCPercent(*gogc)
	go copier(*mib, *rest)
	http.HandleFunc("/work", work)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	json.NewEncoder(os.Stdout).Encode(map[string]any{"event": "ready", "url": url,
		"paths": []string{"/work"}, "go": runtime.Version(), "pid": os.Getpid()})
	go func() { time.Sleep(*life); os.Exit(0) }()
	log.Fatal(http.Serve(ln, nil))
}
