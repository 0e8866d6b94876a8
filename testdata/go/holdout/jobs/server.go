// The job queue: the table of jobs, the worker pool, the write-ahead log and the HTTP API.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/template"
	"time"

	"gorca.test/holdout/internal/slowdns"
	"gorca.test/holdout/internal/svc"
)

type job struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"`
	State    string    `json:"state"`
	Created  time.Time `json:"created"`
	Started  time.Time `json:"started,omitempty"`
	Finished time.Time `json:"finished,omitempty"`
	Progress int       `json:"progress"`
	Result   string    `json:"result,omitempty"`
	Error    string    `json:"error,omitempty"`
	Callback string    `json:"callback,omitempty"`
	Attempts int       `json:"attempts"`
	Labels   []string  `json:"labels,omitempty"`

	payload  []byte
	output   []byte
	done     chan struct{}
	progress chan int
}

type table struct {
	mu     sync.Mutex
	jobs   map[int64]*job
	nextID int64
}

type server struct {
	cfg      config
	tab      *table
	queue    chan *job
	wal      *os.File
	resolver *net.Resolver
	store    string
	corpus   []byte
	mail     *template.Template
}

func newServer(cfg config) (*server, error) {
	s := &server{cfg: cfg, tab: &table{jobs: map[int64]*job{}}, queue: make(chan *job, cfg.queue)}
	rnd := rand.New(rand.NewSource(7))
	words := strings.Fields("order invoice shipment customer warehouse parcel refund label carrier route")
	var b bytes.Buffer
	for b.Len() < cfg.workKB<<10 {
		b.WriteString(words[rnd.Intn(len(words))])
		b.WriteByte(' ')
		if rnd.Intn(9) == 0 {
			fmt.Fprintf(&b, "%d\n", rnd.Intn(1e6))
		}
	}
	s.corpus = b.Bytes()
	s.mail = template.Must(template.New("mail").Parse(
		"Dear {{.Name}},\n{{range .Lines}}- {{.}}\n{{end}}Total: {{.Total}}\nRegards, the shop\n"))
	for i := 0; i < cfg.history; i++ {
		j := &job{Kind: []string{"thumbnail", "report", "email"}[i%3], State: "done",
			Created: time.Now().Add(-time.Duration(i) * time.Second), Attempts: 1,
			Result: fmt.Sprintf("ok:%08x", rnd.Uint32()), Labels: []string{"tenant-" + strconv.Itoa(i%40), "batch"}}
		j.Started, j.Finished = j.Created.Add(time.Millisecond), j.Created.Add(40*time.Millisecond)
		s.tab.add(j)
	}

	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if cfg.fault == "wal" {
		// Durability per record: the log is opened for synchronous data writes.
		flags |= syscall.O_DSYNC
	}
	wal, err := os.OpenFile(filepath.Join(cfg.dataDir, "jobs.wal"), flags, 0o644)
	if err != nil {
		return nil, err
	}
	s.wal = wal
	switch cfg.fault {
	case "srvdns":
		c, err := svc.Spawn("dns", "-dns-delay", cfg.dnsDelay.String())
		if err != nil {
			return nil, err
		}
		s.resolver = slowdns.Resolver(c.String("dns_addr"))
	case "upload":
		c, err := svc.Spawn("objstore", "-store-kbps", strconv.Itoa(cfg.storeRate))
		if err != nil {
			return nil, err
		}
		s.store = c.String("url")
	}
	for i := 0; i < cfg.workers; i++ {
		go s.worker()
	}
	return s, nil
}

func (t *table) add(j *job) {
	t.mu.Lock()
	t.nextID++
	j.ID = t.nextID
	t.jobs[j.ID] = j
	t.mu.Unlock()
}

func (t *table) update(id int64, f func(*job)) {
	t.mu.Lock()
	if j := t.jobs[id]; j != nil {
		f(j)
	}
	t.mu.Unlock()
}

// logState appends one record to the write-ahead log.
// A queued record carries the payload, so that the queue can be rebuilt from the log.
func (s *server) logState(j *job, state string) error {
	var rec []byte
	rec = fmt.Appendf(rec, "%d\t%d\t%s\t%s\t%d\t", time.Now().UnixNano(), j.ID, j.Kind, state, len(j.payload))
	if state == "queued" {
		rec = append(rec, j.payload...)
	}
	rec = append(rec, '\n')
	_, err := s.wal.Write(rec)
	return err
}

func (s *server) worker() {
	for j := range s.queue {
		s.tab.update(j.ID, func(j *job) { j.State, j.Started = "running", time.Now(); j.Attempts++ })
		s.logState(j, "running")
		out, err := s.run(j)
		s.tab.update(j.ID, func(j *job) {
			j.Finished = time.Now()
			if err != nil {
				j.State, j.Error = "failed", err.Error()
			} else {
				j.State, j.Result = "done", fmt.Sprintf("ok:%d bytes", len(out))
			}
		})
		s.logState(j, "finished")
		j.output = out
		if err != nil {
			close(j.progress)
		} else if s.cfg.fault != "progressleak" {
			close(j.progress)
		}
		close(j.done)
	}
}

func (s *server) report(j *job, pct int) {
	select {
	case j.progress <- pct:
	default: // the watcher is behind; it will see a later value
	}
}

func (s *server) run(j *job) ([]byte, error) {
	switch j.Kind {
	case "thumbnail":
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, s.cfg.level)
		for off := 0; off < len(s.corpus); off += 16 << 10 {
			zw.Write(s.corpus[off:min(off+16<<10, len(s.corpus))])
			s.report(j, 100*off/len(s.corpus))
		}
		zw.Close()
		return b.Bytes(), nil
	case "report":
		size := 64 << 10
		if s.cfg.fault == "upload" {
			size = s.cfg.uploadKB << 10
		}
		sum := sha256.Sum256(s.corpus)
		tag := hex.EncodeToString(sum[:8])
		var b bytes.Buffer
		for row := 0; b.Len() < size; row++ {
			off := row * 64 % (len(s.corpus) - 64)
			fmt.Fprintf(&b, "%d,%s,%q\n", row, tag, s.corpus[off:off+64])
		}
		s.report(j, 100)
		return b.Bytes(), nil
	case "email":
		var b bytes.Buffer
		err := s.mail.Execute(&b, map[string]any{"Name": "Customer " + strconv.FormatInt(j.ID, 10),
			"Lines": []string{"1 x parcel", "2 x label"}, "Total": "12.50 EUR"})
		s.report(j, 100)
		return b.Bytes(), err
	}
	return nil, fmt.Errorf("unknown job kind %q", j.Kind)
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /jobs", s.handleSubmit)
	mux.HandleFunc("POST /jobs/run", s.handleRun)
	mux.HandleFunc("GET /jobs/{id}", s.handleStatus)
	mux.HandleFunc("GET /jobs", s.handleList)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

var errBadKind = errors.New("kind must be thumbnail, report or email")

// newJob validates the request, records the job and logs it; it does not enqueue.
func (s *server) newJob(r *http.Request) (*job, int, error) {
	kind := r.URL.Query().Get("kind")
	switch kind {
	case "thumbnail", "report", "email":
	case "":
		kind = "thumbnail"
	default:
		return nil, 400, errBadKind
	}
	j := &job{Kind: kind, State: "queued", Created: time.Now(), done: make(chan struct{}), progress: make(chan int, 4)}
	if cb := r.URL.Query().Get("callback"); cb != "" {
		target, err := s.checkCallback(r.Context(), cb)
		if err != nil {
			return nil, 422, err
		}
		j.Callback = target
	}
	if r.Body != nil {
		j.payload, _ = io.ReadAll(io.LimitReader(r.Body, 1<<20))
	}
	s.tab.add(j)
	if err := s.logState(j, "queued"); err != nil {
		return nil, 500, err
	}
	go s.watch(j)
	return j, 0, nil
}

// checkCallback resolves a tenant's webhook endpoint through service discovery (SRV) before
// accepting it.
func (s *server) checkCallback(ctx context.Context, tenant string) (string, error) {
	if s.resolver == nil {
		return tenant, nil
	}
	name := "_hook._tcp." + tenant + ".hooks.holdout.test."
	_, addrs, err := s.resolver.LookupSRV(ctx, "", "", name)
	if err != nil {
		return "", fmt.Errorf("callback %s: %w", tenant, err)
	}
	if len(addrs) == 0 {
		return "", fmt.Errorf("callback %s: no endpoint", tenant)
	}
	return net.JoinHostPort(strings.TrimSuffix(addrs[0].Target, "."), strconv.Itoa(int(addrs[0].Port))), nil
}

// watch mirrors a job's progress into the table until its progress channel is closed.
func (s *server) watch(j *job) {
	for p := range j.progress {
		s.tab.update(j.ID, func(j *job) { j.Progress = p })
	}
}

func (s *server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	j, code, err := s.newJob(r)
	if err != nil {
		writeJSON(w, code, map[string]string{"error": err.Error()})
		return
	}
	select {
	case s.queue <- j:
		writeJSON(w, 202, map[string]any{"id": j.ID, "state": "queued"})
	default:
		s.tab.update(j.ID, func(j *job) { j.State = "rejected" })
		writeJSON(w, 429, map[string]string{"error": "queue full"})
	}
}

// handleRun runs a job synchronously: enqueue, wait for it, answer with the result (reports
// are first uploaded to the object store).
func (s *server) handleRun(w http.ResponseWriter, r *http.Request) {
	j, code, err := s.newJob(r)
	if err != nil {
		writeJSON(w, code, map[string]string{"error": err.Error()})
		return
	}
	s.queue <- j
	<-j.done
	resp := map[string]any{"id": j.ID, "bytes": len(j.output)}
	if s.store != "" && j.Kind == "report" {
		key, err := s.upload(j)
		if err != nil {
			writeJSON(w, 502, map[string]string{"error": err.Error()})
			return
		}
		resp["object"] = key
	}
	writeJSON(w, 200, resp)
}

func (s *server) upload(j *job) (string, error) {
	key := fmt.Sprintf("reports/%d.csv", j.ID)
	req, err := http.NewRequest("PUT", s.store+"/objects/"+strings.ReplaceAll(key, "/", "%2F"), bytes.NewReader(j.output))
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("object store: %s", resp.Status)
	}
	return key, nil
}

func (s *server) handleStatus(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSON(w, 400, map[string]string{"error": "bad id"})
		return
	}
	s.tab.mu.Lock()
	j, ok := s.tab.jobs[1+(id-1)%max(s.tab.nextID, 1)]
	var cp job
	if ok {
		cp = *j
	}
	s.tab.mu.Unlock()
	if !ok {
		writeJSON(w, 404, map[string]string{"error": "no such job"})
		return
	}
	writeJSON(w, 200, &cp)
}

// handleList lists jobs, newest first, optionally filtered by state.
func (s *server) handleList(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	if s.cfg.fault == "statuslock" {
		// The dashboard's export: a consistent view of the whole table, encoded in place.
		s.tab.mu.Lock()
		defer s.tab.mu.Unlock()
		all := make([]*job, 0, len(s.tab.jobs))
		for _, j := range s.tab.jobs {
			if state == "" || j.State == state {
				all = append(all, j)
			}
		}
		sort.Slice(all, func(a, b int) bool { return all[a].ID > all[b].ID })
		writeJSON(w, 200, map[string]any{"count": len(all), "jobs": all})
		return
	}
	s.tab.mu.Lock()
	var picked []job
	for id := s.tab.nextID; id > 0 && len(picked) < limit; id-- {
		if j := s.tab.jobs[id]; j != nil && (state == "" || j.State == state) {
			picked = append(picked, *j)
		}
	}
	s.tab.mu.Unlock()
	writeJSON(w, 200, map[string]any{"count": len(picked), "jobs": picked})
}
