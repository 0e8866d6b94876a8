// Command service is the scenario service every end-to-end test of gorca runs against: a
// small "shop" HTTP API (standard library only) listening on 127.0.0.1, with net/http/pprof
// mounted and block/mutex profiling on, whose latency problems are switched on with -mode.
// Each mode reproduces a root cause through the real runtime mechanism (a late DNS server, a
// contended lock, a stalling backend, ...); nothing is simulated by faking profile data.
// See README.md in the parent folder for the modes, the flags and the ready line.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	rpprof "runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"gorca.test/scenarios/internal/testtls"
)

// allModes lists every switchable root cause, in the order README.md documents them.
var allModes = []string{
	"healthy", "dns", "mutex", "gc", "outbound", "sleep", "leak", "chan", "tls", "panic",
	"fsync", "cpu",
}

type config struct {
	modes         map[string]bool
	addr          string
	pprofPrefix   string
	tlsDir        string
	serveTLS      bool
	mtls          bool
	basicAuth     string
	bearer        string
	blockRate     int
	mutexFraction int
	writeTimeout  time.Duration
	maxLifetime   time.Duration
	selfProfile   bool
	dataDir       string

	dnsDelay     time.Duration
	lockHold     time.Duration
	heapMB       int
	reportAllocs int
	gogc         int
	stall        time.Duration
	queryDelay   time.Duration
	leakWait     time.Duration
	consumerCost time.Duration
	chanCap      int
	tlsBits      int
	panicEvery   int
	reportDelay  time.Duration
	fsyncBytes   int
	procs        int
	cpuWorkers   int
}

func parseFlags() *config {
	c := &config{}
	mode := flag.String("mode", "healthy", "comma-separated root causes to switch on: "+strings.Join(allModes, ", "))
	flag.StringVar(&c.addr, "addr", "127.0.0.1:0", "listen address; must be a loopback address (port 0 = random free port)")
	flag.StringVar(&c.pprofPrefix, "pprof-prefix", "/debug/pprof", "where net/http/pprof is mounted; must end in /debug/pprof (e.g. the hardened /admin/debug/pprof)")
	flag.BoolVar(&c.serveTLS, "tls", false, "serve HTTPS with a fresh CA and certificate written to -tls-dir")
	flag.BoolVar(&c.mtls, "mtls", false, "with -tls: require client certificates signed by the fresh CA (client.pem, client-key.pem in -tls-dir)")
	flag.StringVar(&c.tlsDir, "tls-dir", "", "directory for ca.pem (and client.pem, client-key.pem with -mtls); default: a temporary directory")
	flag.StringVar(&c.basicAuth, "pprof-basic-auth", "", "USER:PASSWORD required on the pprof mount (HTTP basic auth)")
	flag.StringVar(&c.bearer, "pprof-bearer", "", "TOKEN required on the pprof mount (Authorization: Bearer)")
	flag.IntVar(&c.blockRate, "block-rate", 10000, "runtime.SetBlockProfileRate (ns)")
	flag.IntVar(&c.mutexFraction, "mutex-fraction", 5, "runtime.SetMutexProfileFraction")
	flag.DurationVar(&c.writeTimeout, "write-timeout", 0, "http.Server.WriteTimeout (0 = none); Go <= 1.22 then rejects profiles longer than it")
	flag.DurationVar(&c.maxLifetime, "max-lifetime", 10*time.Minute, "exit after this long, so a forgotten process cannot linger")
	flag.BoolVar(&c.selfProfile, "self-cpu-profile", false, "run the process's own CPU profile, so /profile answers 500 (cpu profiling already in use)")
	flag.StringVar(&c.dataDir, "data-dir", "", "directory for the fsync journal; default: a temporary directory")

	flag.DurationVar(&c.dnsDelay, "dns-delay", 250*time.Millisecond, "dns: how late the loopback DNS server answers")
	flag.DurationVar(&c.lockHold, "lock-hold", 2*time.Millisecond, "mutex: CPU work done while holding the price-cache lock")
	flag.IntVar(&c.heapMB, "heap-mb", 160, "gc: size of the long-lived pointer-rich heap")
	flag.IntVar(&c.reportAllocs, "report-allocs", 60000, "gc: small pointer-rich objects allocated per /api/reports request")
	flag.IntVar(&c.gogc, "gogc", 0, "gc: debug.SetGCPercent value (0 = leave GOGC alone)")
	flag.DurationVar(&c.stall, "stall", 400*time.Millisecond, "outbound: how long the payment backend stalls before answering")
	flag.DurationVar(&c.queryDelay, "query-delay", 150*time.Millisecond, "sleep: duration of the slow synchronous product query")
	flag.DurationVar(&c.leakWait, "leak-wait", 30*time.Millisecond, "leak: how long /api/recommendations waits before giving up on its worker")
	flag.DurationVar(&c.consumerCost, "consumer-cost", 70*time.Millisecond, "chan: time the audit-event consumer spends per event")
	flag.IntVar(&c.chanCap, "chan-cap", 4, "chan: capacity of the audit-event channel")
	flag.IntVar(&c.tlsBits, "tls-bits", 4096, "tls: RSA key size of the loopback identity provider")
	flag.IntVar(&c.panicEvery, "panic-every", 2, "panic: one /api/checkout request in N panics")
	flag.DurationVar(&c.reportDelay, "report-delay", 200*time.Millisecond, "panic: time the crash reporter spends per report")
	flag.IntVar(&c.fsyncBytes, "fsync-bytes", 4<<20, "fsync: bytes written before each fsync of the audit journal")
	flag.IntVar(&c.procs, "procs", 1, "cpu: GOMAXPROCS")
	flag.IntVar(&c.cpuWorkers, "cpu-workers", 4, "cpu: CPU-bound background goroutines")
	flag.Parse()
	if flag.NArg() != 0 {
		fatalf("unexpected argument %q", flag.Arg(0))
	}
	c.modes = map[string]bool{}
	for _, m := range strings.Split(*mode, ",") {
		m = strings.TrimSpace(m)
		if !contains(allModes, m) {
			fatalf("unknown mode %q (modes: %s)", m, strings.Join(allModes, ", "))
		}
		c.modes[m] = true
	}
	if c.modes["healthy"] && len(c.modes) > 1 {
		fatalf("mode healthy cannot be combined with other modes")
	}
	if !strings.HasSuffix(c.pprofPrefix, "/debug/pprof") || !strings.HasPrefix(c.pprofPrefix, "/") {
		fatalf("-pprof-prefix %q must start with / and end in /debug/pprof", c.pprofPrefix)
	}
	if c.mtls && !c.serveTLS {
		fatalf("-mtls needs -tls")
	}
	return c
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "scenario: "+format+"\n", args...)
	os.Exit(2)
}

// loopbackListen refuses anything but a loopback address: the service is deliberately unsafe.
func loopbackListen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("refusing to listen on %q: only loopback IP addresses are allowed", addr)
	}
	return net.Listen("tcp", addr)
}

// mountPprof registers net/http/pprof under cfg.pprofPrefix on its own mux, the way the
// seed's hardened setup does (§2.2): pprof.Index only dispatches paths that start with
// /debug/pprof/, so any outer prefix is stripped before the pprof mux sees the request.
func mountPprof(mux *http.ServeMux, cfg *config) {
	pm := http.NewServeMux()
	pm.HandleFunc("/debug/pprof/", pprof.Index)
	pm.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	pm.HandleFunc("/debug/pprof/profile", pprof.Profile)
	pm.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	pm.HandleFunc("/debug/pprof/trace", pprof.Trace)
	var h http.Handler = pm
	outer := strings.TrimSuffix(cfg.pprofPrefix, "/debug/pprof")
	if outer != "" {
		h = http.StripPrefix(outer, pm)
	}
	h = pprofAuth(cfg, h)
	mux.Handle(cfg.pprofPrefix+"/", h)
}

// pprofAuth protects the pprof mount with basic and/or bearer auth when configured.
func pprofAuth(cfg *config, next http.Handler) http.Handler {
	if cfg.basicAuth == "" && cfg.bearer == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok := false
		if cfg.basicAuth != "" {
			if u, p, has := r.BasicAuth(); has && u+":"+p == cfg.basicAuth {
				ok = true
			}
		}
		if cfg.bearer != "" && r.Header.Get("Authorization") == "Bearer "+cfg.bearer {
			ok = true
		}
		if !ok {
			if cfg.basicAuth != "" {
				w.Header().Set("WWW-Authenticate", `Basic realm="pprof"`)
			} else {
				w.Header().Set("WWW-Authenticate", `Bearer realm="pprof"`)
			}
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type readyLine struct {
	Event      string   `json:"event"`
	URL        string   `json:"url"`
	Addr       string   `json:"addr"`
	Pprof      string   `json:"pprof"`
	Modes      []string `json:"modes"`
	Paths      []string `json:"paths"`
	PID        int      `json:"pid"`
	Go         string   `json:"go"`
	GOMAXPROCS int      `json:"gomaxprocs"`
	TLS        bool     `json:"tls"`
	CA         string   `json:"ca,omitempty"`
	ClientCert string   `json:"client_cert,omitempty"`
	ClientKey  string   `json:"client_key,omitempty"`
}

func main() {
	log.SetFlags(log.Lmicroseconds)
	log.SetPrefix("scenario: ")
	cfg := parseFlags()

	runtime.SetBlockProfileRate(cfg.blockRate)
	runtime.SetMutexProfileFraction(cfg.mutexFraction)

	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	if cfg.dataDir == "" {
		d, err := os.MkdirTemp("", "gorca-scenario-")
		if err != nil {
			fatalf("%v", err)
		}
		cfg.dataDir = d
		cleanups = append(cleanups, func() { os.RemoveAll(d) })
	}
	if cfg.selfProfile {
		f, err := os.CreateTemp(cfg.dataDir, "self-*.pprof")
		if err != nil {
			fatalf("%v", err)
		}
		if err := rpprof.StartCPUProfile(f); err != nil {
			fatalf("self cpu profile: %v", err)
		}
		cleanups = append(cleanups, func() { rpprof.StopCPUProfile(); f.Close() })
	}

	s, err := newServer(cfg)
	if err != nil {
		cleanup()
		fatalf("%v", err)
	}
	cleanups = append(cleanups, s.close)

	ln, err := loopbackListen(cfg.addr)
	if err != nil {
		cleanup()
		fatalf("%v", err)
	}
	mux := http.NewServeMux()
	s.routes(mux)
	mountPprof(mux, cfg)
	mux.HandleFunc("/scenario", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"modes": s.modeList(), "paths": s.paths()})
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      cfg.writeTimeout,
		ErrorLog:          log.New(os.Stderr, "scenario: http: ", log.Lmicroseconds),
	}

	rl := readyLine{Event: "ready", Addr: ln.Addr().String(), Pprof: cfg.pprofPrefix,
		Modes: s.modeList(), Paths: s.paths(), PID: os.Getpid(), Go: runtime.Version(),
		GOMAXPROCS: runtime.GOMAXPROCS(0), TLS: cfg.serveTLS}
	scheme := "http"
	if cfg.serveTLS {
		dir := cfg.tlsDir
		if dir == "" {
			d, err := os.MkdirTemp("", "gorca-scenario-tls-")
			if err != nil {
				fatalf("%v", err)
			}
			dir = d
			cleanups = append(cleanups, func() { os.RemoveAll(d) })
		}
		tcfg, files, err := testtls.Server(dir, cfg.mtls)
		if err != nil {
			cleanup()
			fatalf("tls: %v", err)
		}
		ln = tls.NewListener(ln, tcfg)
		srv.TLSConfig = tcfg
		scheme = "https"
		rl.CA, rl.ClientCert, rl.ClientKey = files.CA, files.ClientCert, files.ClientKey
	}
	rl.URL = scheme + "://" + rl.Addr

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	b, _ := json.Marshal(rl)
	fmt.Printf("%s\n", b)
	os.Stdout.Sync()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case <-time.After(cfg.maxLifetime):
		log.Printf("max lifetime %v reached, exiting", cfg.maxLifetime)
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("serve: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	srv.Shutdown(ctx)
	cancel()
	cleanup()
}

func (s *server) modeList() []string {
	var out []string
	for m := range s.cfg.modes {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}
