// gateway is a holdout service for gorca: an API gateway that fans each product request out
// to three upstream services (pricing, inventory, reviews) through its own http.Transport and
// proxies a legacy API with httputil.ReverseProxy. The upstreams run in a child process (this
// binary with -role upstream), so the gateway's profiles hold only gateway code. pprof is on a
// separate admin listener under /admin/debug/pprof. -fault switches on one real production
// problem; see ../README.md.
package main

import (
	"flag"
	"log"
	"os"
	"runtime"
	"time"

	"gorca.test/holdout/internal/svc"
)

var faults = map[string]string{
	"none":    "healthy",
	"trickle": "the reviews upstream sends its body a few bytes at a time; no client timeouts",
	"dns":     "upstream names resolved per connection through a slow DNS server; keep-alives off",
	"mtls":    "a new mTLS client (Transport) per upstream call: a full handshake every time",
	"hedge":   "hedged pricing calls whose losing goroutine blocks forever on an unbuffered channel",
}

type config struct {
	role          string
	fault         string
	trickleChunk  int
	trickleEvery  time.Duration
	trickleChunks int
	dnsDelay      time.Duration
	clientKey     string
	hedgeAfter    time.Duration
	slowShare     int
	slowDelay     time.Duration
	tlsDir        string
}

func main() {
	log.SetFlags(log.Lmicroseconds)
	var cfg config
	flag.StringVar(&cfg.role, "role", "gateway", "gateway or upstream (the child process)")
	addr := flag.String("addr", "", "API listen address (loopback only; default a random port)")
	adminAddr := flag.String("admin-addr", "", "admin (pprof) listen address (loopback only)")
	flag.StringVar(&cfg.fault, "fault", "none", "fault to inject (see -list)")
	list := flag.Bool("list", false, "list the faults and exit")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0 = runtime default)")
	blockRate := flag.Int("block-rate", 1000000, "runtime.SetBlockProfileRate, ns")
	mutexFrac := flag.Int("mutex-fraction", 100, "runtime.SetMutexProfileFraction")
	maxLife := flag.Duration("max-lifetime", 10*time.Minute, "exit after this long")
	flag.IntVar(&cfg.trickleChunk, "trickle-chunk", 48, "bytes per write of a trickled body (trickle)")
	flag.DurationVar(&cfg.trickleEvery, "trickle-every", 25*time.Millisecond, "pause between trickled writes (trickle)")
	flag.IntVar(&cfg.trickleChunks, "trickle-chunks", 12, "trickled writes per body (trickle)")
	flag.DurationVar(&cfg.dnsDelay, "dns-delay", 150*time.Millisecond, "DNS answer delay (dns)")
	flag.StringVar(&cfg.clientKey, "client-key", "rsa2048", "client certificate key type (mtls)")
	flag.DurationVar(&cfg.hedgeAfter, "hedge-after", 4*time.Millisecond, "send the hedge request after (hedge)")
	flag.IntVar(&cfg.slowShare, "slow-share", 30, "percent of pricing calls on the upstream's slow path (hedge)")
	flag.DurationVar(&cfg.slowDelay, "slow-delay", 20*time.Millisecond, "upstream slow path latency (hedge)")
	flag.StringVar(&cfg.tlsDir, "tls-dir", "", "upstream: PEM files from the gateway (mtls)")
	flag.Parse()
	svc.Faults(faults, cfg.fault, *list)
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	switch cfg.role {
	case "upstream":
		log.SetPrefix("gateway-upstream: ")
		svc.DieWithParent()
		runUpstream(cfg, *addr)
	case "gateway":
		log.SetPrefix("gateway: ")
		runtime.SetBlockProfileRate(*blockRate)
		runtime.SetMutexProfileFraction(*mutexFrac)
		svc.Lifetime(*maxLife)
		if err := runGateway(cfg, *addr, *adminAddr); err != nil {
			log.Print(err)
			svc.Exit(1)
		}
	default:
		log.Fatalf("unknown -role %q", cfg.role)
	}
	os.Exit(0)
}
