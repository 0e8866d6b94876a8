// Command faultserver is the misbehaving pprof server of gorca's capture tests. It mounts the
// real net/http/pprof at /debug/pprof (so unfaulted endpoints answer with genuine profiles of
// this process) and replaces chosen endpoints with a fault: slow headers, a slow or reset
// body, an HTTP error, an oversized or wrong body. -never-answer accepts connections and says
// nothing at all; -tls serves HTTPS with a fresh CA. Loopback only; prints the same kind of
// ready line as the scenario service. Faults are listed in ../README.md.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorca.test/scenarios/internal/testtls"
)

type faultList map[string]string

func (f faultList) String() string { return fmt.Sprint(map[string]string(f)) }

func (f faultList) Set(v string) error {
	i := strings.LastIndex(v, "=")
	if i <= 0 || i == len(v)-1 {
		return fmt.Errorf("want ENDPOINT=FAULT, got %q", v)
	}
	k, kind := v[:i], v[i+1:]
	if _, known := faults[kind]; !known {
		return fmt.Errorf("unknown fault %q", kind)
	}
	f[k] = kind
	return nil
}

var hold = 120 * time.Second // how long "forever" lasts; the client is expected to give up first

// faults maps a fault name to what the endpoint does instead of its job.
var faults = map[string]func(w http.ResponseWriter, r *http.Request){
	"slow-headers": func(w http.ResponseWriter, r *http.Request) { sleepCtx(r, hold) },
	"slow-body": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte{0x1f, 0x8b, 8, 0})
		w.(http.Flusher).Flush()
		for i := 0; i < int(hold/time.Second); i++ {
			if !sleepCtx(r, time.Second) {
				return
			}
			w.Write([]byte{0})
			w.(http.Flusher).Flush()
		}
	},
	"reset": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(200)
		w.Write(make([]byte, 5000))
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with RST
		}
		conn.Close()
	},
	"401": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="pprof"`)
		http.Error(w, "unauthorized", 401)
	},
	"403": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "forbidden", 403) },
	"404": func(w http.ResponseWriter, r *http.Request) { pprofError(w, 404, "Unknown profile") },
	"500": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "internal error", 500) },
	"cpu-in-use": func(w http.ResponseWriter, r *http.Request) {
		pprofError(w, 500, "Could not enable CPU profiling: cpu profiling already in use")
	},
	"no-delta": func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("seconds") != "" {
			pprofError(w, 400, `"seconds" parameter is not supported for this profile type`)
			return
		}
		pprof.Index(w, r)
	},
	"big": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		chunk := make([]byte, 1<<20)
		chunk[0], chunk[1] = 0x1f, 0x8b
		for i := 0; i < 256; i++ { // 256 MiB, chunked: no Content-Length to refuse early
			if _, err := w.Write(chunk); err != nil {
				return
			}
			chunk[0], chunk[1] = 0, 0
		}
	},
	"big-length": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(256<<20))
		w.WriteHeader(200)
		w.Write(make([]byte, 1<<20))
	},
	"html": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><head><title>Sign in</title></head><body>Please sign in</body></html>\n")
	},
	"redirect": func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusFound)
	},
}

func sleepCtx(r *http.Request, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

func pprofError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Go-Pprof", "1")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}

// key names an endpoint the way -fault does: the last path element, plus "?debug=N" when the
// request has a debug parameter (goroutine?debug=2).
func key(r *http.Request) string {
	name := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if d := r.URL.Query().Get("debug"); d != "" && d != "0" {
		return name + "?debug=" + d
	}
	return name
}

// forward relays an absolute-URI proxy request to its origin, loopback only.
func forward(w http.ResponseWriter, r *http.Request) {
	if !r.URL.IsAbs() || net.ParseIP(r.URL.Hostname()) == nil || !net.ParseIP(r.URL.Hostname()).IsLoopback() {
		http.Error(w, "proxy: only absolute loopback URLs", http.StatusBadGateway)
		return
	}
	fmt.Fprintf(os.Stderr, "proxied %s\n", r.URL)
	out, err := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// contend keeps some channel and mutex blocking going, so block and mutex profiles (and their
// deltas) have samples.
func contend() {
	var mu sync.Mutex
	ch := make(chan int)
	go func() {
		for {
			time.Sleep(2 * time.Millisecond)
			<-ch
		}
	}()
	for i := 0; ; i++ {
		go func() {
			mu.Lock()
			time.Sleep(100 * time.Microsecond)
			mu.Unlock()
		}()
		mu.Lock()
		ch <- i
		mu.Unlock()
	}
}

func main() {
	fl := faultList{}
	flag.Var(fl, "fault", "ENDPOINT=FAULT, repeatable; ENDPOINT is a pprof name (profile, heap, ...) optionally with ?debug=N")
	never := flag.Bool("never-answer", false, "accept connections and never send a byte")
	useTLS := flag.Bool("tls", false, "serve HTTPS with a fresh CA written to -tls-dir")
	tlsDir := flag.String("tls-dir", os.TempDir(), "where ca.pem goes with -tls")
	life := flag.Duration("max-lifetime", 5*time.Minute, "exit after this long")
	flag.DurationVar(&hold, "hold", hold, "how long slow faults last")
	unixPath := flag.String("unix", "", "listen on this unix socket instead of TCP")
	proxy := flag.Bool("proxy", false, "be a forward HTTP proxy (logs 'proxied URL' per request on stderr) instead")
	flag.Parse()

	network, addr := "tcp", "127.0.0.1:0"
	if *unixPath != "" {
		network, addr = "unix", *unixPath
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faultserver:", err)
		os.Exit(2)
	}
	go func() { time.Sleep(*life); os.Exit(0) }()
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	go contend()
	ready := map[string]any{"event": "ready", "addr": ln.Addr().String(), "pid": os.Getpid()}
	scheme := "http"
	if *never {
		ready["url"] = "http://" + ln.Addr().String()
		b, _ := json.Marshal(ready)
		fmt.Printf("%s\n", b)
		var conns []net.Conn // kept open, never read or written
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}
	if *proxy {
		ready["url"] = "http://" + ln.Addr().String()
		b, _ := json.Marshal(ready)
		fmt.Printf("%s\n", b)
		http.Serve(ln, http.HandlerFunc(forward))
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
		if f, ok := fl[key(r)]; ok {
			faults[f](w, r)
			return
		}
		switch key(r) {
		case "profile":
			pprof.Profile(w, r)
		case "trace":
			pprof.Trace(w, r)
		case "cmdline":
			pprof.Cmdline(w, r)
		default:
			pprof.Index(w, r)
		}
	})
	if *useTLS {
		cfg, files, err := testtls.Server(*tlsDir, false)
		if err != nil {
			fmt.Fprintln(os.Stderr, "faultserver:", err)
			os.Exit(2)
		}
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
		ready["ca"] = files.CA
	}
	ready["url"] = scheme + "://" + ready["addr"].(string)
	b, _ := json.Marshal(ready)
	fmt.Printf("%s\n", b)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	srv.Serve(ln)
}
