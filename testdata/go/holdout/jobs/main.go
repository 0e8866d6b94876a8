// jobs is a holdout service for gorca: a job queue with an HTTP front. Clients submit jobs
// (thumbnails, reports, e-mails) asynchronously or synchronously; a worker pool runs them;
// a write-ahead log records state changes; a status API lists them. pprof is the classic
// `import _ "net/http/pprof"` on http.DefaultServeMux, served on a separate admin listener.
// Helper child processes (this binary with -role dns or -role objstore) play the DNS server
// and the object store. -fault switches on one real production problem; see ../README.md.
package main

import (
	"flag"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"time"

	"gorca.test/holdout/internal/svc"
)

var faults = map[string]string{
	"none":         "healthy",
	"slowconsumer": "synchronous submits through a short queue to too few, slow workers",
	"wal":          "every state change appended to a write-ahead log opened with O_DSYNC",
	"progressleak": "a progress watcher per job whose channel is only closed when the job fails",
	"srvdns":       "callback targets validated with an SRV lookup through a slow DNS server",
	"upload":       "synchronous report upload to an object store that reads slowly; no timeouts",
	"statuslock":   "the job listing encodes the whole table while holding the table's mutex",
	"cpuquota":     "a worker pool sized for a big machine, deployed with GOMAXPROCS=1",
}

type config struct {
	fault     string
	workers   int
	queue     int
	workKB    int
	level     int
	history   int
	dnsDelay  time.Duration
	uploadKB  int
	storeRate int
	dataDir   string
}

// envInt reads a profiling knob from the environment, the way this service is configured in
// production.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func main() {
	log.SetFlags(log.Lmicroseconds)
	var cfg config
	role := flag.String("role", "jobs", "jobs, or a helper child: dns, objstore")
	addr := flag.String("addr", "", "API listen address (loopback only; default a random port)")
	adminAddr := flag.String("admin-addr", "", "admin (pprof) listen address (loopback only)")
	flag.StringVar(&cfg.fault, "fault", "none", "fault to inject (see -list)")
	list := flag.Bool("list", false, "list the faults and exit")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0 = runtime default)")
	maxLife := flag.Duration("max-lifetime", 10*time.Minute, "exit after this long")
	flag.IntVar(&cfg.workers, "workers", 8, "worker goroutines")
	flag.IntVar(&cfg.queue, "queue", 256, "queue capacity")
	flag.IntVar(&cfg.workKB, "work-kb", 32, "payload size a thumbnail job compresses, KiB")
	flag.IntVar(&cfg.level, "level", 5, "gzip level of thumbnail jobs")
	flag.IntVar(&cfg.history, "history", 20000, "finished jobs in the table at start")
	flag.DurationVar(&cfg.dnsDelay, "dns-delay", 200*time.Millisecond, "DNS answer delay (srvdns)")
	flag.IntVar(&cfg.uploadKB, "upload-kb", 2048, "report size uploaded (upload)")
	flag.IntVar(&cfg.storeRate, "store-kbps", 8192, "object store read rate, KiB/s (upload)")
	flag.StringVar(&cfg.dataDir, "data-dir", "", "WAL directory (default: a temporary directory, removed at exit)")
	flag.Parse()
	svc.Faults(faults, cfg.fault, *list)
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cfg.fault == "slowconsumer" {
		// Sized for last year's traffic: one worker, a short queue.
		if !set["workers"] {
			cfg.workers = 1
		}
		if !set["queue"] {
			cfg.queue = 4
		}
		if !set["work-kb"] {
			cfg.workKB = 96
		}
		if !set["level"] {
			cfg.level = 9
		}
	}
	if cfg.fault == "cpuquota" {
		// Six CPU-bound workers on one P: the pool was sized for the old 8-core hosts.
		if *procs == 0 {
			*procs = 1
		}
		if !set["workers"] {
			cfg.workers = 6
		}
		if !set["work-kb"] {
			cfg.workKB = 64
		}
		if !set["level"] {
			cfg.level = 9
		}
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	switch *role {
	case "dns", "objstore":
		log.SetPrefix("jobs-" + *role + ": ")
		svc.DieWithParent()
		runHelper(*role, cfg)
		return
	case "jobs":
	default:
		log.Fatalf("unknown -role %q", *role)
	}
	log.SetPrefix("jobs: ")
	runtime.SetBlockProfileRate(envInt("JOBS_BLOCK_PROFILE_RATE", 1))
	runtime.SetMutexProfileFraction(envInt("JOBS_MUTEX_PROFILE_FRACTION", 1))
	svc.Lifetime(*maxLife)
	if cfg.dataDir == "" {
		cfg.dataDir = svc.TempDir("holdout-jobs-")
	}
	s, err := newServer(cfg)
	if err != nil {
		log.Print(err)
		svc.Exit(1)
	}
	ln, err := svc.Listen(*addr)
	if err != nil {
		log.Fatal(err)
	}
	aln, err := svc.Listen(*adminAddr)
	if err != nil {
		log.Fatal(err)
	}
	svc.Serve(&http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}, ln)
	svc.Serve(&http.Server{Handler: http.DefaultServeMux}, aln)
	admin := "http://" + aln.Addr().String()
	svc.Ready(map[string]any{
		"url": "http://" + ln.Addr().String(), "addr": ln.Addr().String(), "admin_url": admin,
		"pprof": "/debug/pprof", "pprof_url": admin + "/debug/pprof", "app": "jobs", "fault": cfg.fault,
	})
	select {}
}
