// The HTTP API of the ledger, its middleware, and the clients it uses for its partners: the
// fraud check (reverse DNS), the risk engine (pooled TCP line protocol), the card network
// (HTTP), the clearing house (TLS) and the merchants' webhooks (an outbox).
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gorca.test/holdout/internal/slowdns"
	"gorca.test/holdout/internal/svc"
)

type server struct {
	cfg      config
	ledger   *ledger
	journal  *journalFile
	idem     *idemCache
	partner  partnerInfo
	http     *http.Client
	resolver *net.Resolver
	risk     *riskClient
	clearTLS *tls.Config
	clearQ   chan string
	outbox   chan *event
	ring     *ring
	pool     chan *renderer
	fees     []*feeRule
	fx       map[string]*fxRate
	panics   atomic.Int64
	hookErrs atomic.Int64
}

func newServer(cfg config) (*server, error) {
	child, err := svc.Spawn("partner", partnerArgs(cfg)...)
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, partner: readPartner(child)}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.partner.clearingCA) {
		return nil, errors.New("partner: bad clearing CA")
	}
	// No ClientSessionCache: the clearing house's TLS sessions are never resumed.
	s.clearTLS = &tls.Config{RootCAs: pool, ServerName: "clearing.holdout.test"}
	s.http = &http.Client{Transport: &http.Transport{
		MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: 90 * time.Second,
	}}
	s.resolver = slowdns.Resolver(s.partner.dnsAddr)
	s.risk = &riskClient{addr: s.partner.riskAddr, idle: make(chan *riskConn, 32)}

	ringSize := 50000
	s.ledger = newLedger(cfg.accounts, ringSize)
	start := time.Now().Add(-time.Duration(cfg.history) * time.Millisecond)
	for i := 0; i < cfg.history; i++ {
		from, to := (i*7919)%cfg.accounts, (i*104729+13)%cfg.accounts
		memo := memos[i%len(memos)]
		if _, err := s.ledger.post(from, to, int64(100+i%9000), memo, start.Add(time.Duration(i)*time.Millisecond)); err != nil {
			return nil, err
		}
	}
	if cfg.fault == "journalverify" {
		s.ledger.verifyDepth = cfg.verifyDepth
	}
	s.idem = newIdemCache(cfg.cacheEntries)

	jpath := filepath.Join(cfg.dataDir, "journal.csv")
	if s.journal, err = openJournal(jpath, cfg.fault == "exportlock"); err != nil {
		return nil, err
	}
	if cfg.fault == "exportlock" {
		if _, err := svc.Spawn("exporter", "-export-hold", cfg.exportHold.String(), "-export-every", cfg.exportEvery.String(), jpath); err != nil {
			return nil, err
		}
	}

	poolSize := 4
	if cfg.fault == "receiptpool" {
		poolSize = 1 // the template engine was not concurrency-safe once; the pool kept its size
	}
	s.pool = make(chan *renderer, poolSize)
	for i := 0; i < poolSize; i++ {
		s.pool <- newRenderer()
	}
	s.fx, s.fees = buildFees(cfg.fault == "feepanic", cfg.feeDepth)

	if cfg.fault == "spinrelay" {
		s.ring = newRing(1 << 16)
		for i := 0; i < cfg.relays; i++ {
			go s.relay()
		}
	} else {
		s.outbox = make(chan *event, 64)
		go s.dispatch()
	}
	s.clearQ = make(chan string, 4096)
	go s.clearBatches()
	if cfg.batchEvery > 0 {
		go s.settlementBatches()
	}
	if cfg.fault == "reconcile" {
		go s.reconcileLoop()
	}
	return s, nil
}

var memos = []string{"card payment", "refund", "payout", "transfer", "fee", "chargeback", "top-up", "settlement"}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /v1/payments", s.handlePayment)
	mux.HandleFunc("POST /v1/transfers", s.handleTransfer)
	mux.HandleFunc("GET /v1/accounts/{id}", s.handleAccount)
	mux.HandleFunc("GET /v1/accounts/{id}/statement", s.handleStatement)
	mux.HandleFunc("GET /v1/accounts/{id}/export", s.handleExport)
	mux.HandleFunc("GET /v1/receipts/{id}", s.handleReceipt)
	mux.HandleFunc("POST /v1/fees/quote", s.handleFeeQuote)
	svc.MountPprof(mux, "/internal/pprof")
	return withRecovery(s, withRequestID(mux))
}

// withRequestID tags every request and response with an ID, as the platform requires.
func withRequestID(next http.Handler) http.Handler {
	var n atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = "ldg-" + strconv.FormatUint(n.Add(1), 36)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r)
	})
}

// withRecovery turns a panic into a 500 and logs it (the message only; it can be long).
func withRecovery(s *server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				n := s.panics.Add(1)
				msg := fmt.Sprint(v)
				if n%50 == 1 {
					if len(msg) > 240 {
						msg = msg[:240] + "..."
					}
					log.Printf("recovered panic #%d serving %s %s: %s", n, r.Method, r.URL.Path, msg)
				}
				http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func intParam(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.FormValue(name)); err == nil {
		return v
	}
	return def
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// --- payments ---

func (s *server) handlePayment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	card := r.FormValue("card")
	merchant := intParam(r, "merchant", 0)
	amount := int64(intParam(r, "amount", 1999))
	ip := r.FormValue("ip")

	// Fraud: where does the cardholder connect from? Hosting providers and VPN exits are
	// suspicious; the reverse name tells.
	if net.ParseIP(ip) != nil {
		names, err := s.resolver.LookupAddr(ctx, ip)
		if err == nil && len(names) > 0 && strings.Contains(names[0], ".vpn.") {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "declined: anonymizing network"})
			return
		}
	}
	score, err := s.risk.score(card, amount)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "risk engine: " + err.Error()})
		return
	}
	if score > 95 {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "declined: risk"})
		return
	}
	code, err := s.authorize(ctx, card, amount)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	cardAcct := 1 + len(card)*7919 + int(amount)
	e, err := s.ledger.post(cardAcct, 100000+merchant, amount, "card payment "+code, time.Now())
	if err != nil {
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		return
	}
	if err := s.journal.append(e); err != nil {
		log.Printf("journal: %v", err)
	}
	s.publish(&event{merchant: merchant, kind: "payment.captured", entry: e.id, amount: amount})
	instr := fmt.Sprintf("CLEAR %d %d\n", e.id, amount)
	if s.cfg.fault == "clearingtls" {
		if err := s.clearNow(instr); err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": "clearing: " + err.Error()})
			return
		}
	} else {
		select {
		case s.clearQ <- instr:
		default:
		}
	}
	writeJSON(w, http.StatusCreated, map[string]any{"entry": e.id, "auth_code": code, "risk": score})
}

// authorize asks the card network to authorize the amount. The network throttles per API
// key with 429 and a Retry-After-Ms header; the client honours it and tries again.
func (s *server) authorize(ctx context.Context, card string, amount int64) (string, error) {
	body := fmt.Sprintf(`{"card":%q,"amount":%d}`, card, amount)
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, "POST", s.partner.httpURL+"/authorize", strings.NewReader(body))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.http.Do(req)
		if err != nil {
			return "", err
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < 10 {
			ms, _ := strconv.Atoi(resp.Header.Get("Retry-After-Ms"))
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			time.Sleep(time.Duration(ms) * time.Millisecond)
			continue
		}
		var out struct {
			Approved bool   `json:"approved"`
			Code     string `json:"auth_code"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("card network: status %d", resp.StatusCode)
		}
		if !out.Approved {
			return "", errors.New("card network: declined")
		}
		return out.Code, nil
	}
}

// --- risk engine client: a line protocol over pooled TCP connections (like a DB driver) ---

type riskClient struct {
	addr string
	idle chan *riskConn
}

type riskConn struct {
	c  net.Conn
	br *bufio.Reader
}

func (rc *riskClient) get() (*riskConn, error) {
	select {
	case c := <-rc.idle:
		return c, nil
	default:
	}
	c, err := net.Dial("tcp", rc.addr)
	if err != nil {
		return nil, err
	}
	return &riskConn{c: c, br: bufio.NewReader(c)}, nil
}

func (rc *riskClient) put(c *riskConn) {
	select {
	case rc.idle <- c:
	default:
		c.c.Close()
	}
}

func (rc *riskClient) score(card string, amount int64) (int, error) {
	c, err := rc.get()
	if err != nil {
		return 0, err
	}
	if _, err := fmt.Fprintf(c.c, "SCORE %s %d\n", card, amount); err != nil {
		c.c.Close()
		return 0, err
	}
	line, err := c.br.ReadString('\n')
	if err != nil {
		c.c.Close()
		return 0, err
	}
	rc.put(c)
	var n int
	if _, err := fmt.Sscanf(line, "OK %d", &n); err != nil {
		return 0, fmt.Errorf("risk: bad answer %q", line)
	}
	return n, nil
}

// --- clearing house ---

// clearNow sends one instruction on a connection of its own.
func (s *server) clearNow(instr string) error {
	c, err := tls.Dial("tcp", s.partner.clearingAddr, s.clearTLS)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := io.WriteString(c, instr); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// clearBatches sends the queued instructions every 200 ms over one long-lived connection.
func (s *server) clearBatches() {
	var c *tls.Conn
	var br *bufio.Reader
	t := time.NewTicker(200 * time.Millisecond)
	for range t.C {
		var batch []string
	drain:
		for {
			select {
			case i := <-s.clearQ:
				batch = append(batch, i)
			default:
				break drain
			}
		}
		if len(batch) == 0 {
			continue
		}
		if c == nil {
			var err error
			if c, err = tls.Dial("tcp", s.partner.clearingAddr, s.clearTLS); err != nil {
				log.Printf("clearing: %v", err)
				c = nil
				continue
			}
			br = bufio.NewReader(c)
		}
		if _, err := io.WriteString(c, strings.Join(batch, "")); err != nil {
			c.Close()
			c = nil
			continue
		}
		for range batch {
			if _, err := br.ReadString('\n'); err != nil {
				c.Close()
				c = nil
				break
			}
		}
	}
}

// --- transfers, accounts, statements ---

func (s *server) handleTransfer(w http.ResponseWriter, r *http.Request) {
	key := r.FormValue("key")
	if key != "" {
		if c := s.idem.get(key); c != nil {
			for k, v := range c.header {
				w.Header()[k] = v
			}
			w.WriteHeader(c.status)
			w.Write(c.body)
			return
		}
	}
	from, to := intParam(r, "from", 1), intParam(r, "to", 2)
	amount := int64(intParam(r, "amount", 500))
	e, err := s.ledger.post(from, to, amount, "transfer", time.Now())
	if err != nil {
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		return
	}
	if err := s.journal.append(e); err != nil {
		log.Printf("journal: %v", err)
	}
	s.publish(&event{merchant: from % 100, kind: "transfer.posted", entry: e.id, amount: amount})
	body := fmt.Appendf(nil, `{"entry":%d,"status":"posted","hash":"%x"}`+"\n", e.id, e.hash[:8])
	if key != "" {
		s.idem.put(key, &idemResp{status: 201, header: http.Header{"Content-Type": {"application/json"}}, body: body, at: time.Now()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(body)
}

func (s *server) handleAccount(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad account id", http.StatusBadRequest)
		return
	}
	bal, ver := s.ledger.balance(id)
	writeJSON(w, http.StatusOK, map[string]any{"account": s.ledger.account(id), "balance": money(bal), "version": ver})
}

func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

type stmtLine struct {
	Entry        uint64 `json:"entry"`
	At           string `json:"at"`
	Counterparty int32  `json:"counterparty"`
	Amount       string `json:"amount"`
	Memo         string `json:"memo"`
}

func (s *server) handleStatement(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad account id", http.StatusBadRequest)
		return
	}
	acct := s.ledger.account(id)
	entries := s.ledger.recent(acct, intParam(r, "limit", 50))
	if s.cfg.fault == "statementrender" {
		// The configurable statement format: every line goes through a generic document
		// model (maps), so that partners can choose fields and labels.
		s.renderGeneric(w, acct, entries, r.FormValue("lang"))
		return
	}
	lines := make([]stmtLine, 0, len(entries))
	for _, e := range entries {
		l := stmtLine{Entry: e.id, At: e.at.UTC().Format(time.RFC3339), Memo: e.memo}
		if int(e.from) == acct {
			l.Counterparty, l.Amount = e.to, money(-e.amount)
		} else {
			l.Counterparty, l.Amount = e.from, money(e.amount)
		}
		lines = append(lines, l)
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": acct, "lines": lines})
}

func (s *server) renderGeneric(w http.ResponseWriter, acct int, entries []*entry, lang string) {
	if lang == "" {
		lang = "en"
	}
	labels := map[string]string{"entry": "Entry", "at": "Date", "amount": "Amount", "memo": "Description", "cp": "Counterparty"}
	doc := map[string]any{"account": acct, "lang": lang, "generated": time.Now().Format(time.RFC3339Nano)}
	lines := make([]any, 0, len(entries))
	running := int64(0)
	for _, e := range entries {
		amt := e.amount
		cp := e.from
		if int(e.from) == acct {
			amt, cp = -amt, e.to
		}
		running += amt
		line := map[string]any{}
		for k, label := range labels {
			field := map[string]any{"label": label, "key": k}
			switch k {
			case "entry":
				field["value"] = strconv.FormatUint(e.id, 10)
			case "at":
				field["value"] = e.at.UTC().Format(time.RFC1123)
				field["raw"] = e.at.UnixNano()
			case "amount":
				field["value"] = money(amt)
				field["currency"] = "EUR"
				field["running"] = money(running)
			case "memo":
				field["value"] = strings.ToUpper(e.memo[:1]) + e.memo[1:]
			case "cp":
				field["value"] = fmt.Sprintf("ACCT-%08d", cp)
				field["links"] = map[string]any{"self": fmt.Sprintf("/v1/accounts/%d", cp)}
			}
			line[k] = field
		}
		line["hash"] = fmt.Sprintf("%x", e.hash)
		lines = append(lines, line)
	}
	doc["lines"] = lines
	writeJSON(w, http.StatusOK, doc)
}

// handleExport streams the account's history as CSV, flushing every 250 rows; large exports
// legitimately take a while.
func (s *server) handleExport(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad account id", http.StatusBadRequest)
		return
	}
	rows := intParam(r, "rows", 1000)
	acct := s.ledger.account(id)
	entries := s.ledger.recent(acct, 0)
	w.Header().Set("Content-Type", "text/csv")
	fl, _ := w.(http.Flusher)
	bw := bufio.NewWriterSize(w, 16<<10)
	bw.WriteString("entry,date,counterparty,amount,memo\n")
	var buf []byte
	for i := 0; i < rows && len(entries) > 0; i++ {
		e := entries[i%len(entries)]
		buf = strconv.AppendUint(buf[:0], e.id, 10)
		buf = append(buf, ',')
		buf = e.at.UTC().AppendFormat(buf, "2006-01-02T15:04:05Z")
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(e.to), 10)
		buf = append(buf, ',')
		buf = append(buf, money(e.amount)...)
		buf = append(buf, ',')
		buf = append(buf, e.memo...)
		buf = append(buf, '\n')
		bw.Write(buf)
		if i%250 == 249 {
			bw.Flush()
			if fl != nil {
				fl.Flush()
			}
		}
	}
	bw.Flush()
}

// --- webhooks: the outbox ---

type event struct {
	merchant int
	kind     string
	entry    uint64
	amount   int64
}

// publish hands the event to the outbox without making the request wait for delivery.
func (s *server) publish(ev *event) {
	if s.ring != nil {
		s.ring.push(ev)
		return
	}
	go func() { s.outbox <- ev }()
}

// dispatch delivers outbox events to the merchants' webhook endpoints, one at a time.
func (s *server) dispatch() {
	for ev := range s.outbox {
		if err := s.deliver(ev); err != nil {
			s.hookErrs.Add(1)
			log.Printf("webhook dispatcher: delivery of %s %d failed: %v", ev.kind, ev.entry, err)
			return
		}
	}
}

func (s *server) deliver(ev *event) error {
	body := fmt.Sprintf(`{"type":%q,"entry":%d,"amount":%q}`, ev.kind, ev.entry, money(ev.amount))
	resp, err := s.http.Post(fmt.Sprintf("%s/hooks/m%d", s.partner.httpURL, ev.merchant), "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// ring is a lock-free multi-producer ring the spinrelay build uses instead of the channel,
// "for lower latency".
type ring struct {
	slots      []atomic.Pointer[event]
	head, tail atomic.Uint64
}

func newRing(n int) *ring { return &ring{slots: make([]atomic.Pointer[event], n)} }

func (q *ring) push(ev *event) {
	i := q.tail.Add(1) - 1
	q.slots[i%uint64(len(q.slots))].Store(ev)
}

func (q *ring) poll() *event {
	h := q.head.Load()
	if h >= q.tail.Load() {
		return nil
	}
	slot := &q.slots[h%uint64(len(q.slots))]
	ev := slot.Load()
	if ev == nil || !q.head.CompareAndSwap(h, h+1) {
		return nil
	}
	slot.CompareAndSwap(ev, nil)
	return ev
}

// relay polls the ring and delivers; it never blocks waiting for work.
func (s *server) relay() {
	for {
		ev := s.ring.poll()
		if ev == nil {
			continue
		}
		if err := s.deliver(ev); err != nil {
			s.hookErrs.Add(1)
		}
	}
}
