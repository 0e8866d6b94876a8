// orders is a holdout service for gorca: an order-management API (catalog with stock, orders
// kept in memory and persisted as one JSON file each, a read replica, pricing rules) with
// net/http/pprof on its own mux. -fault switches on one real production problem at a time;
// see ../README.md for what each one does and which root cause it should be diagnosed as.
package main

import (
	"flag"
	"log"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"gorca.test/holdout/internal/svc"
)

var faults = map[string]string{
	"none":          "healthy",
	"rwlock":        "price sync reprices the catalog while holding its write lock",
	"memlimit":      "GOGC=off with a memory limit just above a large live heap",
	"atomicwrite":   "durable order files: write, fsync, rename, fsync the directory per request",
	"deeppanic":     "a broken pricing rule panics at the bottom of a deep rule chain",
	"compaction":    "background index compaction goroutines saturate GOMAXPROCS",
	"readyourwrite": "ship confirms the write on a lagging replica, sleeping between polls",
	"snapshot":      "replication snapshot hashes a large mmap'd region in one call",
}

type config struct {
	fault         string
	products      int
	history       int
	syncEvery     time.Duration
	compactors    int
	headroomMB    int
	replicaLag    time.Duration
	snapshotMB    int
	snapshotEvery time.Duration
	ruleDepth     int
	invoiceKB     int
	dataDir       string
}

func main() {
	log.SetFlags(log.Lmicroseconds)
	log.SetPrefix("orders: ")
	var cfg config
	addr := flag.String("addr", "", "listen address (loopback only; default a random port)")
	flag.StringVar(&cfg.fault, "fault", "none", "fault to inject (see -list)")
	list := flag.Bool("list", false, "list the faults and exit")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0 = runtime default)")
	blockRate := flag.Int("block-rate", 20000, "runtime.SetBlockProfileRate, ns")
	mutexFrac := flag.Int("mutex-fraction", 10, "runtime.SetMutexProfileFraction")
	maxLife := flag.Duration("max-lifetime", 10*time.Minute, "exit after this long")
	flag.IntVar(&cfg.products, "products", 10000, "catalog size")
	flag.IntVar(&cfg.history, "history", 20000, "orders loaded at start")
	flag.StringVar(&cfg.dataDir, "data-dir", "", "order files (default: a temporary directory, removed at exit)")
	flag.DurationVar(&cfg.syncEvery, "sync-every", 50*time.Millisecond, "price sync period")
	flag.IntVar(&cfg.compactors, "compactors", 3, "compaction goroutines (compaction)")
	flag.IntVar(&cfg.headroomMB, "headroom-mb", 24, "memory limit above the live heap (memlimit)")
	flag.DurationVar(&cfg.replicaLag, "replica-lag", 120*time.Millisecond, "replica lag (readyourwrite)")
	flag.IntVar(&cfg.snapshotMB, "snapshot-mb", 128, "snapshot region size (snapshot)")
	flag.DurationVar(&cfg.snapshotEvery, "snapshot-every", 100*time.Millisecond, "snapshot period (snapshot)")
	flag.IntVar(&cfg.invoiceKB, "invoice-kb", 96, "size of the invoice kept in each order file")
	gogc := flag.Int("gogc", 0, "debug.SetGCPercent (0 = leave GOGC alone)")
	flag.IntVar(&cfg.ruleDepth, "rule-depth", 3000, "pricing rule chain length")
	flag.Parse()
	svc.Faults(faults, cfg.fault, *list)
	if cfg.fault == "compaction" && *procs == 0 {
		*procs = 2 // the container's CPU limit
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

	if cfg.dataDir == "" {
		cfg.dataDir = svc.TempDir("holdout-orders-")
	}

	app, err := newApp(cfg)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	app.routes(mux)
	svc.MountPprof(mux, "/debug/pprof")

	if cfg.fault == "memlimit" {
		// Tuned "for memory": no proportional GC, only a limit a little above the live heap.
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		limit := int64(ms.HeapAlloc) + int64(cfg.headroomMB)<<20
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(limit)
		log.Printf("memory limit %d MiB (live heap %d MiB), GOGC=off", limit>>20, ms.HeapAlloc>>20)
	}
	app.startBackground()

	ln, err := svc.Listen(*addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: app.withRecovery(mux), ReadHeaderTimeout: 5 * time.Second}
	svc.Serve(srv, ln)
	url := "http://" + ln.Addr().String()
	svc.Ready(map[string]any{
		"url": url, "addr": ln.Addr().String(), "pprof": "/debug/pprof",
		"pprof_url": url + "/debug/pprof", "app": "orders", "fault": cfg.fault,
	})
	select {}
}
