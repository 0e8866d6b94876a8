// hedge is a small HTTP service with a partial goroutine leak, for the leak fixture of gorca's
// diagnosis tests: GET /quote asks a quote backend (an in-process loopback server, slow on
// about one call in three; a child process of its own) and hedges: when the first attempt has not answered after 5 ms it
// starts a second one and takes whichever answers first. The attempts run with
// context.Background() and send their response on an unbuffered channel, so the loser of
// every hedged call blocks forever on its send, holding its unread response. Most attempts
// finish; a steady share leak. Latency stays low.
//
// Listens on 127.0.0.1 (random port), mounts net/http/pprof, prints one JSON ready line like
// the scenario service, exits after -max-lifetime.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

type quoter struct {
	client  *http.Client
	backend string
	hedge   time.Duration
}

type attempt struct {
	resp *http.Response
	err  error
}

func (q *quoter) quote(sku string) ([]byte, error) {
	results := make(chan attempt)
	try := func() {
		req, err := http.NewRequestWithContext(context.Background(), "GET", q.backend+"?sku="+sku, nil)
		if err != nil {
			results <- attempt{err: err}
			return
		}
		resp, err := q.client.Do(req)
		results <- attempt{resp, err}
	}
	go try()
	var a attempt
	select {
	case a = <-results:
	case <-time.After(q.hedge):
		go try()
		a = <-results
	}
	if a.err != nil {
		return nil, a.err
	}
	defer a.resp.Body.Close()
	return io.ReadAll(a.resp.Body)
}

// serveBackend is the child process: the quote backend, printing its URL on stdout.
func serveBackend(slowEvery int, slow time.Duration, life time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/price", func(w http.ResponseWriter, r *http.Request) {
		if rand.Intn(slowEvery) == 0 {
			time.Sleep(slow)
		}
		fmt.Fprintf(w, "{\"sku\":%q,\"cents\":%d}\n", r.URL.Query().Get("sku"), 100+rand.Intn(900))
	})
	fmt.Println("http://" + ln.Addr().String() + "/price")
	go func() { time.Sleep(life); os.Exit(0) }()
	go func() { io.Copy(io.Discard, os.Stdin); os.Exit(0) }() // the parent is gone
	log.Fatal(http.Serve(ln, mux))
}

// childStdin stays open (and referenced, so no finalizer closes it) while this process lives.
var childStdin io.WriteCloser

// backend starts the child process and returns its URL.
func backend(args []string) (string, error) {
	cmd := exec.Command(os.Args[0], append([]string{"-backend"}, args...)...)
	cmd.Stderr = os.Stderr
	var err error
	if childStdin, err = cmd.StdinPipe(); err != nil { // closed when this process exits
		return "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func main() {
	hedge := flag.Duration("hedge-after", 5*time.Millisecond, "start a second attempt after this")
	slowEvery := flag.Int("slow-every", 3, "one backend call in this many is slow")
	slow := flag.Duration("slow", 20*time.Millisecond, "how slow a slow backend call is")
	life := flag.Duration("max-lifetime", 2*time.Minute, "exit after this long")
	child := flag.Bool("backend", false, "run as the quote backend (the child process)")
	flag.Parse()
	if *child {
		serveBackend(*slowEvery, *slow, *life)
		return
	}
	be, err := backend([]string{"-slow-every", fmt.Sprint(*slowEvery), "-slow", slow.String(),
		"-max-lifetime", life.String()})
	if err != nil {
		log.Fatal(err)
	}
	q := &quoter{client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		backend: be, hedge: *hedge}
	http.HandleFunc("/quote", func(w http.ResponseWriter, r *http.Request) {
		b, err := q.quote(r.URL.Query().Get("sku"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	json.NewEncoder(os.Stdout).Encode(map[string]any{"event": "ready", "url": url,
		"paths": []string{"/quote?sku=a1", "/quote?sku=b2", "/quote?sku=c3"}, "go": runtime.Version(), "pid": os.Getpid()})
	go func() { time.Sleep(*life); os.Exit(0) }()
	log.Fatal(http.Serve(ln, nil))
}
