// feed is a holdout service for gorca: a small social feed. Users post, read a timeline
// merged from the people they follow, and long-poll for the next post; a hub fans new posts
// out to live subscribers and to background sinks (near-duplicate detection). The API can
// be served over TLS; pprof is on a separate plain admin listener under /ops/debug/pprof.
// -fault switches on one real production problem; see ../README.md.
package main

import (
	"flag"
	"log"
	"runtime"
	"runtime/debug"
	"time"

	"gorca.test/holdout/internal/svc"
)

var faults = map[string]string{
	"none":           "healthy",
	"disconnectleak": "long-poll cleanup skipped when the client disconnects: subscription and pump leak",
	"hubstall":       "the hub blocks on a single slow duplicate-detection sink",
	"tlsstorm":       "clients without keep-alive: a full TLS handshake (RSA key) per request",
	"ratelimit":      "per-author posting pacer that sleeps inside the request",
	"panicdump":      "timelines of some users panic; the crash reporter dumps every goroutine",
	"archivescan":    "archive maintenance scans a large mmap'd archive with one bytes.Count call",
	"ranking":        "timelines ranked with a feature map per candidate over a large interaction history",
}

type config struct {
	fault      string
	tlsKey     string
	users      int
	follows    int
	postsPer   int
	pollWait   time.Duration
	indexers   int
	minhash    int
	sinkBuf    int
	paceEvery  time.Duration
	panicShare int
	archiveMB  int
	scanEvery  time.Duration
	history    int
}

func main() {
	log.SetFlags(log.Lmicroseconds)
	log.SetPrefix("feed: ")
	var cfg config
	addr := flag.String("addr", "", "API listen address (loopback only; default a random port)")
	adminAddr := flag.String("admin-addr", "", "admin (pprof) listen address (loopback only)")
	flag.StringVar(&cfg.fault, "fault", "none", "fault to inject (see -list)")
	list := flag.Bool("list", false, "list the faults and exit")
	flag.StringVar(&cfg.tlsKey, "tls", "off", "serve the API over TLS with this key type: off, ecdsa, rsa2048, rsa3072, rsa4096")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0 = runtime default)")
	gogc := flag.Int("gogc", 0, "debug.SetGCPercent (0 = leave GOGC alone)")
	blockRate := flag.Int("block-rate", 100000, "runtime.SetBlockProfileRate, ns")
	mutexFrac := flag.Int("mutex-fraction", 50, "runtime.SetMutexProfileFraction")
	maxLife := flag.Duration("max-lifetime", 10*time.Minute, "exit after this long")
	flag.IntVar(&cfg.users, "users", 2000, "users")
	flag.IntVar(&cfg.follows, "follows", 40, "accounts each user follows")
	flag.IntVar(&cfg.postsPer, "posts", 40, "posts kept per user")
	flag.DurationVar(&cfg.pollWait, "poll-wait", 2*time.Second, "long-poll wait before 204")
	flag.IntVar(&cfg.indexers, "indexers", 2, "duplicate-detection sink goroutines")
	flag.IntVar(&cfg.minhash, "minhash", 32, "min-hash functions per post")
	flag.IntVar(&cfg.sinkBuf, "sink-buffer", 64, "sink channel capacity")
	flag.DurationVar(&cfg.paceEvery, "pace", 25*time.Millisecond, "posting pace per author (ratelimit)")
	flag.IntVar(&cfg.panicShare, "panic-share", 30, "percent of users with a dangling follow (panicdump)")
	flag.IntVar(&cfg.archiveMB, "archive-mb", 256, "archive size (archivescan)")
	flag.DurationVar(&cfg.scanEvery, "scan-every", 250*time.Millisecond, "archive scan period (archivescan)")
	flag.IntVar(&cfg.history, "interactions", 300, "interactions remembered per user (ranking)")
	flag.Parse()
	svc.Faults(faults, cfg.fault, *list)
	// The faults that are a configuration: their settings, unless given explicitly.
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch cfg.fault {
	case "hubstall":
		// The dedup sink tuned for recall: many hash functions, one goroutine, short queue.
		if !set["indexers"] {
			cfg.indexers = 1
		}
		if !set["minhash"] {
			cfg.minhash = 1024
		}
		if !set["sink-buffer"] {
			cfg.sinkBuf = 16
		}
	case "tlsstorm":
		if !set["tls"] {
			cfg.tlsKey = "rsa2048"
		}
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	if *gogc != 0 {
		debug.SetGCPercent(*gogc)
	}
	runtime.SetBlockProfileRate(*blockRate)
	runtime.SetMutexProfileFraction(*mutexFrac)
	svc.Lifetime(*maxLife)
	if err := run(cfg, *addr, *adminAddr); err != nil {
		log.Print(err)
		svc.Exit(1)
	}
}
