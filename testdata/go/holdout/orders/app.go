// The HTTP API of the orders service and its background jobs (price sync, index compaction,
// replication snapshots).
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

type app struct {
	cfg     config
	catalog *catalog
	store   *store
	replica *replica
	rules   *rule
	crashes *crashLog
	tick    atomic.Int64
	snapSum atomic.Value
}

func newApp(cfg config) (*app, error) {
	rnd := rand.New(rand.NewSource(42))
	f, err := os.Create(filepath.Join(cfg.dataDir, "crashes.log"))
	if err != nil {
		return nil, err
	}
	a := &app{
		cfg:     cfg,
		catalog: newCatalog(cfg.products, rnd),
		store:   newStore(cfg.dataDir, cfg.fault == "atomicwrite", cfg.invoiceKB),
		rules:   buildRules(cfg.ruleDepth, cfg.fault == "deeppanic"),
		crashes: &crashLog{w: bufio.NewWriterSize(f, 64<<10), count: map[string]int{}},
	}
	lag := time.Duration(0)
	if cfg.fault == "readyourwrite" {
		lag = cfg.replicaLag
	}
	a.replica = newReplica(lag)
	// Order history, in memory only (it was loaded from the files of earlier runs).
	for i := 0; i < cfg.history; i++ {
		o := &order{
			Customer: rnd.Intn(5000),
			Status:   "delivered",
			Version:  1,
			Created:  time.Now().Add(-time.Duration(rnd.Intn(1e6)) * time.Second),
			Ship:     &address{Street: fmt.Sprintf("%d Main St", rnd.Intn(999)), City: "Springfield", Zip: fmt.Sprintf("%05d", rnd.Intn(99999))},
			Tags:     []string{"web", fmt.Sprintf("campaign-%d", rnd.Intn(40))},
		}
		for j := 0; j < 1+rnd.Intn(4); j++ {
			l := &line{SKU: skuName(rnd.Intn(cfg.products)), Qty: int64(1 + rnd.Intn(3)), Cents: int64(100 + rnd.Intn(9900))}
			o.Lines = append(o.Lines, l)
			o.Total += l.Qty * l.Cents
		}
		a.store.add(o)
	}
	return a, nil
}

func (a *app) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /v1/catalog/top", a.handleTop)
	mux.HandleFunc("GET /v1/catalog/{sku}", a.handleProduct)
	mux.HandleFunc("POST /v1/orders", a.handleCreate)
	mux.HandleFunc("GET /v1/orders/{seq}", a.handleOrder)
	mux.HandleFunc("POST /v1/orders/{seq}/ship", a.handleShip)
	mux.HandleFunc("GET /v1/customers/{id}/orders", a.handleCustomerOrders)
	mux.HandleFunc("GET /v1/reports/revenue", a.handleRevenue)
	mux.HandleFunc("POST /v1/quote", a.handleQuote)
}

// withRecovery turns a panicking handler into a 500 and spools the crash with its stack.
func (a *app) withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.crashes.record(r.Method+" "+r.URL.Path, v)
				http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("encode: %v", err)
	}
}

func intParam(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

func (a *app) handleTop(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, a.catalog.topSellers(intParam(r, "n", 20)))
}

func (a *app) handleProduct(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	if n, err := strconv.Atoi(sku); err == nil {
		sku = skuName(n % a.cfg.products)
	}
	p, ok := a.catalog.lookup(sku)
	if !ok {
		writeJSON(w, 404, map[string]string{"error": "no such product"})
		return
	}
	writeJSON(w, 200, p)
}

func (a *app) handleCreate(w http.ResponseWriter, r *http.Request) {
	cust := intParam(r, "customer", rand.Intn(5000))
	n := 1 + rand.Intn(3)
	o := &order{Customer: cust, Status: "placed", Version: 1, Created: time.Now(),
		Ship: &address{Street: "1 Order Way", City: "Springfield", Zip: "12345"}}
	for i := 0; i < n; i++ {
		sku := skuName(rand.Intn(a.cfg.products))
		if _, ok := a.catalog.lookup(sku); !ok {
			writeJSON(w, 404, map[string]string{"error": "no such product"})
			return
		}
		cents, err := a.catalog.reserve(sku, 1)
		if err != nil {
			writeJSON(w, 409, map[string]string{"error": err.Error()})
			return
		}
		o.Lines = append(o.Lines, &line{SKU: sku, Qty: 1, Cents: cents})
		o.Total += cents
	}
	a.store.add(o)
	if err := a.store.persist(o); err != nil {
		writeJSON(w, 500, map[string]string{"error": err.Error()})
		return
	}
	a.replica.apply(o.ID, o.Version)
	writeJSON(w, 201, o)
}

func (a *app) handleOrder(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil {
		writeJSON(w, 400, map[string]string{"error": "bad order number"})
		return
	}
	o, ok := a.store.bySequence(seq)
	if !ok {
		writeJSON(w, 404, map[string]string{"error": "no such order"})
		return
	}
	// Enrich with live catalog data.
	type lineView struct {
		line
		Name    string `json:"name"`
		InStock bool   `json:"in_stock"`
	}
	lines := make([]lineView, 0, len(o.Lines))
	for _, l := range o.Lines {
		p, _ := a.catalog.lookup(l.SKU)
		lines = append(lines, lineView{line: *l, Name: p.Name, InStock: p.Stock > 0})
	}
	writeJSON(w, 200, map[string]any{"order": o, "lines": lines})
}

// handleShip marks an order shipped, then makes sure the replica (which the notification
// service reads) shows the new version before answering: read-your-writes by polling.
func (a *app) handleShip(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil {
		writeJSON(w, 400, map[string]string{"error": "bad order number"})
		return
	}
	snap, ok := a.store.bySequence(seq)
	if !ok {
		writeJSON(w, 404, map[string]string{"error": "no such order"})
		return
	}
	o, sh := a.store.get(snap.ID)
	sh.mu.Lock()
	o.Status = "shipped"
	o.Version++
	version := o.Version
	cp := *o
	sh.mu.Unlock()
	if err := a.store.persist(&cp); err != nil {
		writeJSON(w, 500, map[string]string{"error": err.Error()})
		return
	}
	a.replica.apply(cp.ID, version)
	err = retry(8, 10*time.Millisecond, func() error {
		if a.replica.version(cp.ID) < version {
			return errNotYetVisible
		}
		return nil
	})
	if err != nil {
		writeJSON(w, 503, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, 200, map[string]any{"id": cp.ID, "status": cp.Status, "version": version})
}

var errNotYetVisible = errors.New("write not yet visible on the replica")

// retry calls f up to attempts times with exponential backoff between failures.
func retry(attempts int, backoff time.Duration, f func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = f(); err == nil {
			return nil
		}
		time.Sleep(backoff)
		backoff *= 2
	}
	return err
}

type orderView struct {
	ID      string            `json:"id"`
	Status  string            `json:"status"`
	Placed  string            `json:"placed"`
	Total   string            `json:"total"`
	Items   []map[string]any  `json:"items"`
	Labels  map[string]string `json:"labels"`
	Address string            `json:"address"`
}

func (a *app) handleCustomerOrders(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeJSON(w, 400, map[string]string{"error": "bad customer"})
		return
	}
	limit := intParam(r, "limit", 50)
	views := []orderView{}
	for _, o := range a.store.ofCustomer(id%5000, limit) {
		v := orderView{ID: o.ID, Status: o.Status, Placed: o.Created.Format(time.RFC1123),
			Total: fmt.Sprintf("$%d.%02d", o.Total/100, o.Total%100), Labels: map[string]string{}}
		for _, l := range o.Lines {
			v.Items = append(v.Items, map[string]any{"sku": l.SKU, "qty": l.Qty, "price": fmt.Sprintf("%.2f", float64(l.Cents)/100)})
		}
		for i, t := range o.Tags {
			v.Labels["tag"+strconv.Itoa(i)] = t
		}
		if o.Ship != nil {
			v.Address = o.Ship.Street + ", " + o.Ship.City + " " + o.Ship.Zip
		}
		views = append(views, v)
	}
	writeJSON(w, 200, map[string]any{"customer": id, "orders": views})
}

// handleRevenue aggregates revenue by SKU prefix over a sample of recent orders.
func (a *app) handleRevenue(w http.ResponseWriter, r *http.Request) {
	sample := intParam(r, "sample", 2000)
	byBucket := map[string]int64{}
	var total int64
	a.store.window(rand.Intn(max(a.cfg.history, 1)), sample, func(o *order) {
		for _, l := range o.Lines {
			byBucket[l.SKU[:6]] += l.Qty * l.Cents
			total += l.Qty * l.Cents
		}
	})
	keys := make([]string, 0, len(byBucket))
	for k := range byBucket {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rows := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, map[string]any{"bucket": k, "cents": byBucket[k]})
	}
	writeJSON(w, 200, map[string]any{"total_cents": total, "buckets": rows})
}

func (a *app) handleQuote(w http.ResponseWriter, r *http.Request) {
	cust := intParam(r, "customer", rand.Intn(5000))
	segment := "retail"
	if cust%3 == 0 {
		segment = "wholesale"
	}
	q := &quote{segment: segment, qty: int64(1 + cust%9), cents: 100000}
	var e evaluator
	e.eval(a.rules, q)
	writeJSON(w, 200, map[string]any{"customer": cust, "segment": segment, "cents": q.cents})
}

func (a *app) startBackground() {
	go a.priceSync()
	switch a.cfg.fault {
	case "compaction":
		for i := 0; i < a.cfg.compactors; i++ {
			go a.compact(i)
		}
	case "snapshot":
		go a.snapshotLoop()
	}
}

// priceSync reprices the catalog periodically.
func (a *app) priceSync() {
	t := time.NewTicker(a.cfg.syncEvery)
	for range t.C {
		tick := int(a.tick.Add(1))
		if a.cfg.fault == "rwlock" {
			a.catalog.syncPricesLocked(tick)
		} else {
			a.catalog.syncPrices(tick)
		}
	}
}

// compact merges sorted runs of the secondary index forever: a CPU-bound loop that never
// blocks (it reuses its buffers, so it does not allocate either).
func (a *app) compact(id int) {
	rnd := rand.New(rand.NewSource(int64(id)))
	const run = 1 << 15
	left, right := make([]uint64, run), make([]uint64, run)
	merged := make([]uint64, 2*run)
	var generation uint64
	for {
		for i := range left {
			left[i], right[i] = rnd.Uint64(), rnd.Uint64()
		}
		slices.Sort(left)
		slices.Sort(right)
		i, j, k := 0, 0, 0
		for i < run && j < run {
			if left[i] <= right[j] {
				merged[k] = left[i]
				i++
			} else {
				merged[k] = right[j]
				j++
			}
			k++
		}
		k += copy(merged[k:], left[i:])
		copy(merged[k:], right[j:])
		generation += merged[run]
	}
}

// snapshotLoop publishes a checksummed snapshot of the order log for the replicas. The log
// lives in an mmap'd region; each round freezes it into a second region with one copy and
// checksums the frozen index page.
func (a *app) snapshotLoop() {
	size := a.cfg.snapshotMB << 20
	mmap := func() []byte {
		b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			log.Fatalf("snapshot: mmap: %v", err)
		}
		return b
	}
	live, frozen := mmap(), mmap()
	for i := range live {
		live[i] = byte(i * 31)
	}
	t := time.NewTicker(a.cfg.snapshotEvery)
	for range t.C {
		// Append the newest order to the log, freeze it, checksum the frozen copy.
		tick := int(a.tick.Load())
		if o, ok := a.store.bySequence(tick); ok {
			b, _ := json.Marshal(o)
			copy(live[tick*512%(size-len(b)):], b)
		}
		copy(frozen, live)
		a.snapSum.Store(sha256.Sum256(frozen[:1<<20])) // the index page names every segment

	}
}
