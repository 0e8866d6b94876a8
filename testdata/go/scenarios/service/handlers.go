// The shop API: one handler per path, each doing a little honest work, plus the root-cause
// mechanisms the enabled modes add to specific handlers. Handler and helper names are what a
// real service would use, so gorca's attribution (function names, handler paths) can be
// checked against them: README.md maps every mode to its handler and functions.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log"
	"math/rand"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type server struct {
	cfg  *config
	on   func(mode string) bool
	seq  atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup

	prices    *priceCache    // mutex
	inventory *inventoryDNS  // dns
	catalog   *catalogHeap   // gc
	payments  *paymentClient // outbound
	products  *productDB     // sleep
	events    chan auditEvent
	idp       *identityClient // tls
	crashes   chan crashReport
	journal   *auditJournal // fsync
	closers   []func()
}

func newServer(cfg *config) (*server, error) {
	s := &server{cfg: cfg, stop: make(chan struct{})}
	s.on = func(m string) bool { return cfg.modes[m] }
	s.prices = &priceCache{prices: map[string]int64{}, hold: cfg.lockHold}
	var err error
	if s.on("dns") {
		if s.inventory, err = newInventoryDNS(cfg.dnsDelay); err != nil {
			return nil, err
		}
		s.closers = append(s.closers, s.inventory.close)
	}
	if s.on("gc") {
		if cfg.gogc > 0 {
			debug.SetGCPercent(cfg.gogc)
		}
		s.catalog = buildCatalogHeap(cfg.heapMB)
	}
	if s.on("outbound") {
		if s.payments, err = newPaymentClient(cfg.stall); err != nil {
			return nil, err
		}
		s.closers = append(s.closers, s.payments.close)
	}
	if s.on("sleep") {
		s.products = &productDB{delay: cfg.queryDelay}
	}
	if s.on("chan") {
		s.events = make(chan auditEvent, cfg.chanCap)
		s.wg.Add(1)
		go s.consumeAuditEvents()
	}
	if s.on("tls") {
		if s.idp, err = newIdentityClient(cfg.tlsBits); err != nil {
			return nil, err
		}
		s.closers = append(s.closers, s.idp.close)
	}
	if s.on("panic") {
		s.crashes = make(chan crashReport)
		s.wg.Add(1)
		go s.uploadCrashReports()
	}
	if s.on("fsync") {
		if s.journal, err = openAuditJournal(cfg.dataDir, cfg.fsyncBytes); err != nil {
			return nil, err
		}
		s.closers = append(s.closers, s.journal.close)
	}
	if s.on("cpu") {
		startSearchIndexers(s, cfg.procs, cfg.cpuWorkers)
	}
	return s, nil
}

func (s *server) close() {
	close(s.stop)
	for _, c := range s.closers {
		c()
	}
}

type route struct {
	pattern string // registered on the mux
	sample  string // what the load generator requests
	h       func(w http.ResponseWriter, r *http.Request)
}

func (s *server) routeTable() []route {
	return []route{
		{"/health", "/health", s.handleHealth},
		{"/api/orders", "/api/orders", s.handleOrders},
		{"/api/users/", "/api/users/42", s.handleUser},
		{"/api/inventory", "/api/inventory?sku=A-100", s.handleInventory},
		{"/api/reports", "/api/reports", s.handleReports},
		{"/api/payments", "/api/payments", s.handlePayments},
		{"/api/search", "/api/search?q=lamp", s.handleSearch},
		{"/api/recommendations", "/api/recommendations?user=7", s.handleRecommendations},
		{"/api/events", "/api/events", s.handleEvents},
		{"/api/login", "/api/login", s.handleLogin},
		{"/api/checkout", "/api/checkout", s.handleCheckout},
		{"/api/audit", "/api/audit", s.handleAudit},
	}
}

func (s *server) routes(mux *http.ServeMux) {
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, s.recoverPanics(http.HandlerFunc(rt.h)))
	}
}

func (s *server) paths() []string {
	var out []string
	for _, rt := range s.routeTable() {
		out = append(out, rt.sample)
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// ---- healthy work shared by every handler ------------------------------------------------

type order struct {
	ID    uint64   `json:"id"`
	User  int      `json:"user"`
	Items []string `json:"items"`
	Total int64    `json:"total_cents"`
}

func makeOrders(seed uint64, n int) []order {
	out := make([]order, n)
	for i := range out {
		out[i] = order{ID: seed*100 + uint64(i), User: int(seed % 97),
			Items: []string{"A-100", "B-" + strconv.Itoa(i)}, Total: int64(1999 + i*7)}
	}
	return out
}

func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]string{"status": "ok"})
}

// ---- mutex: a price cache whose lock is held during the recomputation ---------------------

type priceCache struct {
	mu     sync.Mutex
	prices map[string]int64
	hold   time.Duration
}

// quote recomputes the price under the cache lock: the classic "too much work in the
// critical section" contention.
func (c *priceCache) quote(sku string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := recomputePrice(sku, c.hold)
	c.prices[sku] = p
	return p
}

// recomputePrice burns CPU for about d, hashing.
func recomputePrice(sku string, d time.Duration) int64 {
	sum := sha256.Sum256([]byte(sku))
	deadline := time.Now().Add(d)
	for n := 0; ; n++ {
		sum = sha256.Sum256(sum[:])
		if n%64 == 0 && time.Now().After(deadline) {
			break
		}
	}
	return int64(binary.LittleEndian.Uint32(sum[:]) % 100000)
}

func (s *server) handleOrders(w http.ResponseWriter, r *http.Request) {
	orders := makeOrders(s.seq.Add(1), 8)
	if s.on("mutex") {
		for i := range orders {
			orders[i].Total = s.prices.quote(orders[i].Items[0])
		}
	}
	writeJSON(w, orders)
}

func (s *server) handleUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/api/users/"))
	if err != nil {
		http.Error(w, "bad user id", http.StatusBadRequest)
		return
	}
	user := map[string]any{"id": id, "name": fmt.Sprintf("user-%d", id)}
	if s.on("mutex") {
		user["tier_price"] = s.prices.quote("tier-" + strconv.Itoa(id%4))
	}
	writeJSON(w, user)
}

// ---- gc: a large pointer-rich long-lived heap plus allocation-heavy reports ---------------

type catalogNode struct {
	next     *catalogNode
	children [3]*catalogNode
	name     string
	tags     []string
}

type catalogHeap struct {
	roots []*catalogNode
}

// buildCatalogHeap keeps about mb megabytes of linked nodes alive for the process lifetime,
// so every GC cycle has a big pointer graph to mark.
func buildCatalogHeap(mb int) *catalogHeap {
	const nodeBytes = 128 // node + name + tags backing, roughly
	n := mb << 20 / nodeBytes
	h := &catalogHeap{}
	var prev *catalogNode
	for i := 0; i < n; i++ {
		nd := &catalogNode{next: prev, name: "sku-" + strconv.Itoa(i), tags: make([]string, 1)}
		if prev != nil {
			nd.children[0] = prev.next
		}
		prev = nd
		if i%1024 == 0 {
			h.roots = append(h.roots, nd)
			prev = nil
		}
	}
	return h
}

type reportRow struct {
	SKU    string
	Qty    int
	Parent *reportRow
	Notes  []string
}

// buildSalesReport allocates n small pointer-rich rows and aggregates them.
func buildSalesReport(n int) map[string]int {
	rows := make([]*reportRow, 0, 64)
	agg := map[string]int{}
	var parent *reportRow
	for i := 0; i < n; i++ {
		row := &reportRow{SKU: "sku-" + strconv.Itoa(i%500), Qty: i % 7, Parent: parent,
			Notes: []string{"n" + strconv.Itoa(i)}}
		parent = row
		if len(rows) < cap(rows) {
			rows = append(rows, row)
		}
		agg[row.SKU] += row.Qty
	}
	return agg
}

func (s *server) handleReports(w http.ResponseWriter, r *http.Request) {
	n := 200
	if s.on("gc") {
		n = s.cfg.reportAllocs
	}
	agg := buildSalesReport(n)
	writeJSON(w, map[string]int{"skus": len(agg)})
}

// ---- sleep: a slow synchronous "database query" -------------------------------------------

type productDB struct{ delay time.Duration }

// queryProducts stands for a blocking driver call that takes delay regardless of the request.
func (db *productDB) queryProducts(q string) []string {
	time.Sleep(db.delay)
	return []string{q + "-1", q + "-2"}
}

func (s *server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	var res []string
	if s.on("sleep") {
		res = s.products.queryProducts(q)
	} else {
		res = []string{q + "-1"}
	}
	writeJSON(w, map[string]any{"q": q, "results": res})
}

// ---- leak: a worker started with context.Background() and an unbuffered result channel ----

func (s *server) fetchRecommendations(ctx context.Context, user string, out chan<- []string) {
	// ctx is context.Background() here (the bug): nothing cancels this work, and when the
	// handler has given up nobody receives from out, so the send blocks forever.
	select {
	case <-time.After(4 * s.cfg.leakWait):
	case <-ctx.Done():
		return
	}
	out <- []string{"rec-" + user + "-1", "rec-" + user + "-2"}
}

func (s *server) handleRecommendations(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if !s.on("leak") {
		writeJSON(w, []string{"rec-" + user + "-1"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.leakWait)
	defer cancel()
	ch := make(chan []string)
	go s.fetchRecommendations(context.Background(), user, ch)
	var recs []string
	select {
	case recs = <-ch:
	case <-ctx.Done():
		recs = []string{"fallback"}
	}
	writeJSON(w, recs)
}

// ---- chan: audit events handed to a slow single consumer ----------------------------------

type auditEvent struct {
	seq  uint64
	path string
	at   time.Time
}

func (s *server) consumeAuditEvents() {
	defer s.wg.Done()
	for {
		select {
		case ev := <-s.events:
			persistAuditEvent(ev, s.cfg.consumerCost)
		case <-s.stop:
			return
		}
	}
}

// persistAuditEvent is the slow consumer's per-event work (a remote write, in real life).
func persistAuditEvent(ev auditEvent, cost time.Duration) {
	time.Sleep(cost)
	_ = ev
}

// publishAuditEvent blocks while the channel is full.
func (s *server) publishAuditEvent(ev auditEvent) {
	s.events <- ev
}

func (s *server) handleEvents(w http.ResponseWriter, r *http.Request) {
	ev := auditEvent{seq: s.seq.Add(1), path: r.URL.Path, at: time.Now()}
	if s.on("chan") {
		s.publishAuditEvent(ev)
	}
	writeJSON(w, map[string]uint64{"accepted": ev.seq})
}

// ---- panic: recovered panics whose crash reporting blocks ---------------------------------

type crashReport struct {
	path  string
	value string
	stack []byte
}

// recoverPanics is the middleware every route goes through. When the handler panics it
// recovers and reports the crash synchronously; the reporter is slow, so goroutines pile up
// inside this deferred function, still on the panicking stack.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if s.crashes != nil {
					s.reportCrash(crashReport{path: r.URL.Path, value: fmt.Sprint(v), stack: debug.Stack()})
				}
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *server) reportCrash(c crashReport) {
	select {
	case s.crashes <- c:
	case <-s.stop:
	}
}

func (s *server) uploadCrashReports() {
	defer s.wg.Done()
	for {
		select {
		case c := <-s.crashes:
			time.Sleep(s.cfg.reportDelay) // the crash-report upload
			_ = c
		case <-s.stop:
			return
		}
	}
}

type cart struct {
	items map[string]int
}

// loadCart returns a cart whose items map is nil for some users: the latent bug.
func (s *server) loadCart(n uint64) *cart {
	c := &cart{}
	if !s.on("panic") || n%uint64(s.cfg.panicEvery) != 0 {
		c.items = map[string]int{}
	}
	return c
}

func (s *server) handleCheckout(w http.ResponseWriter, r *http.Request) {
	c := s.loadCart(s.seq.Add(1))
	c.items["A-100"]++ // panics with "assignment to entry in nil map" for the broken carts
	writeJSON(w, map[string]int{"items": len(c.items)})
}

// ---- fsync: an audit journal synced on every request -------------------------------------

func (s *server) handleAudit(w http.ResponseWriter, r *http.Request) {
	n := s.seq.Add(1)
	if s.on("fsync") {
		if err := s.journal.appendRecord(n); err != nil {
			log.Printf("audit journal: %v", err)
			http.Error(w, "journal error", http.StatusInternalServerError)
			return
		}
	}
	writeJSON(w, map[string]uint64{"record": n})
}

// ---- inventory (the dns mode adds a lookup to it, see backends.go) -----------------------

func (s *server) handleInventoryLocal(sku string) map[string]any {
	return map[string]any{"sku": sku, "available": rand.Intn(100)}
}
