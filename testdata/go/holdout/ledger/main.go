// ledger is a wave-2 holdout service for gorca: a payments ledger. Card payments go through a
// fraud check, a risk engine (a line protocol over pooled TCP connections), an authorization
// call to the card network (HTTP) and a posting in the ledger; transfers move money between
// accounts and are appended to a journal file; statements, receipts, CSV exports and fee
// quotes are read APIs; an outbox delivers webhooks to merchants; clearing instructions go to
// a clearing house over TLS. The partners (card network, webhook sink, risk engine, clearing
// house, DNS server) run in a helper child process (-role partner); a journal export sidecar
// is another (-role exporter). pprof is mounted on the API listener itself, under
// /internal/pprof, behind the same middleware as the API. -fault switches on one real
// production problem at a time; ../README.md says what each one is and which cause it is.
package main

import (
	"flag"
	"log"
	"net/http"
	"runtime"
	"time"

	"gorca.test/holdout/internal/svc"
)

var faults = map[string]string{
	"none":            "healthy",
	"ptrlookup":       "fraud check reverse-resolves the cardholder's IP through a slow DNS server",
	"journalverify":   "every posting re-verifies the journal's hash chain while holding the ledger lock",
	"reconcile":       "a tight reconciliation loop under GODEBUG=asyncpreemptoff=1 delays every GC stop-the-world",
	"statementrender": "statements rendered through generic maps over a large pointer-rich cache with a low GOGC",
	"riskslow":        "risk engine answers slowly; its TCP client has no read deadline",
	"retryafter":      "card network throttles with 429 + Retry-After; the handler sleeps and retries inline",
	"outboxstall":     "the webhook dispatcher returns on its first delivery error; publishers block forever",
	"receiptpool":     "receipt renderers pooled in a channel of size 1",
	"clearingtls":     "every clearing instruction dials a new TLS connection to an RSA-4096 clearing house",
	"exportlock":      "journal appends take flock(2) shared with an export sidecar that holds it while copying",
	"spinrelay":       "outbox relays busy-poll a lock-free ring without ever blocking",
	"feepanic":        "a broken fee schedule panics at the leaf; every rule level recovers and re-panics",
}

type config struct {
	fault        string
	accounts     int
	history      int
	dnsDelay     time.Duration
	riskDelay    time.Duration
	verifyDepth  int
	reconcileN   int
	reconcileGap time.Duration
	cacheEntries int
	relays       int
	feeDepth     int
	exportHold   time.Duration
	exportEvery  time.Duration
	batchEvery   time.Duration
	hookFailAt   int
	rsaBits      int
	dataDir      string
}

func main() {
	log.SetFlags(log.Lmicroseconds)
	var cfg config
	role := flag.String("role", "ledger", "ledger, or a helper child: partner, exporter")
	addr := flag.String("addr", "", "listen address (loopback only; default a random port)")
	flag.StringVar(&cfg.fault, "fault", "none", "fault to inject (see -list)")
	list := flag.Bool("list", false, "list the faults and exit")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0 = runtime default)")
	blockRate := flag.Int("block-rate", 10000, "runtime.SetBlockProfileRate, ns")
	mutexFrac := flag.Int("mutex-fraction", 20, "runtime.SetMutexProfileFraction")
	maxLife := flag.Duration("max-lifetime", 10*time.Minute, "exit after this long")
	flag.IntVar(&cfg.accounts, "accounts", 50000, "accounts")
	flag.IntVar(&cfg.history, "history", 200000, "journal entries loaded at start")
	flag.DurationVar(&cfg.dnsDelay, "dns-delay", 150*time.Millisecond, "DNS answer delay (ptrlookup)")
	flag.DurationVar(&cfg.riskDelay, "risk-delay", 60*time.Millisecond, "risk engine answer time (riskslow)")
	flag.IntVar(&cfg.verifyDepth, "verify-depth", 16000, "journal entries re-hashed per posting (journalverify)")
	flag.IntVar(&cfg.reconcileN, "reconcile-rounds", 800, "passes over the balances per reconciliation (reconcile)")
	flag.DurationVar(&cfg.reconcileGap, "reconcile-every", 150*time.Millisecond, "reconciliation period (reconcile)")
	flag.IntVar(&cfg.cacheEntries, "idem-cache", 20000, "idempotency responses kept in memory")
	flag.IntVar(&cfg.relays, "relays", 3, "outbox relay goroutines (spinrelay)")
	flag.IntVar(&cfg.feeDepth, "fee-depth", 300, "depth of a merchant's fee rule tree")
	flag.DurationVar(&cfg.exportHold, "export-hold", 80*time.Millisecond, "how long the export sidecar holds the journal lock (exportlock)")
	flag.DurationVar(&cfg.exportEvery, "export-every", 120*time.Millisecond, "export sidecar period (exportlock)")
	flag.DurationVar(&cfg.batchEvery, "batch-every", 0, "settlement batch period (0 = off)")
	flag.IntVar(&cfg.hookFailAt, "hook-fail-at", 400, "the webhook sink fails its Nth delivery (outboxstall)")
	flag.IntVar(&cfg.rsaBits, "clearing-rsa", 4096, "clearing house RSA key size (clearingtls)")
	flag.StringVar(&cfg.dataDir, "data-dir", "", "journal directory (default: a temporary directory, removed at exit)")
	flag.Parse()
	svc.Faults(faults, cfg.fault, *list)
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	switch *role {
	case "partner", "exporter":
		log.SetPrefix("ledger-" + *role + ": ")
		svc.DieWithParent()
		if *role == "partner" {
			runPartner(cfg)
		} else {
			runExporter(cfg, flag.Arg(0))
		}
		return
	case "ledger":
	default:
		log.Fatalf("unknown -role %q", *role)
	}
	log.SetPrefix("ledger: ")
	runtime.SetBlockProfileRate(*blockRate)
	runtime.SetMutexProfileFraction(*mutexFrac)
	svc.Lifetime(*maxLife)
	if cfg.dataDir == "" {
		cfg.dataDir = svc.TempDir("holdout-ledger-")
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
	svc.Serve(&http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}, ln)
	url := "http://" + ln.Addr().String()
	svc.Ready(map[string]any{
		"url": url, "addr": ln.Addr().String(), "pprof": "/internal/pprof",
		"pprof_url": url + "/internal/pprof", "app": "ledger", "fault": cfg.fault,
	})
	select {}
}
