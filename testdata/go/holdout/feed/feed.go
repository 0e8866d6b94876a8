// The feed service: users, posts, timelines, long-polling, the posting pacer, the crash
// reporter and archive maintenance.
package main

import (
	"bytes"
	"container/heap"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gorca.test/holdout/internal/certs"
	"gorca.test/holdout/internal/svc"
)

type post struct {
	ID     int64     `json:"id"`
	author int       // user id
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
	Likes  int       `json:"likes"`
	Tags   []string  `json:"tags,omitempty"`
}

type interaction struct {
	post   *post
	author *user
	kind   string
	at     time.Time
	weight float64
}

type user struct {
	id      int
	name    string
	history []*interaction // ranking: what this user liked, replied to, shared
	follows []*user        // a nil entry is an account deleted without cleaning up its followers
	mu      sync.Mutex
	posts   []*post // newest last, at most cfg.postsPer
}

type server struct {
	cfg      config
	users    []*user
	hub      *hub
	nextPost atomic.Int64
	pacer    *pacer
	crashes  *crashReporter
	archive  []byte
	records  atomic.Int64
}

func run(cfg config, addr, adminAddr string) error {
	s := &server{cfg: cfg, hub: newHub()}
	rnd := rand.New(rand.NewSource(3))
	for i := 0; i < cfg.users; i++ {
		s.users = append(s.users, &user{id: i, name: fmt.Sprintf("user%04d", i)})
	}
	words := strings.Fields("go latency pprof trace mutex channel goroutine heap deploy rollback incident coffee weekend release")
	for _, u := range s.users {
		for k := 0; k < cfg.follows; k++ {
			u.follows = append(u.follows, s.users[rnd.Intn(cfg.users)])
		}
		if cfg.fault == "panicdump" && rnd.Intn(100) < cfg.panicShare {
			u.follows[rnd.Intn(len(u.follows))] = nil
		}
		for k := 0; k < cfg.postsPer; k++ {
			var b strings.Builder
			for w := 0; w < 12+rnd.Intn(20); w++ {
				b.WriteString(words[rnd.Intn(len(words))])
				b.WriteByte(' ')
			}
			u.posts = append(u.posts, &post{ID: s.nextPost.Add(1), author: u.id, Text: b.String(),
				At: time.Now().Add(-time.Duration(rnd.Intn(1e6)) * time.Second), Likes: rnd.Intn(100),
				Tags: []string{words[rnd.Intn(len(words))]}})
		}
	}
	if cfg.fault == "ranking" {
		kinds := []string{"like", "reply", "share", "view"}
		for _, u := range s.users {
			for k := 0; k < cfg.history; k++ {
				a := s.users[rnd.Intn(cfg.users)]
				u.history = append(u.history, &interaction{post: a.posts[rnd.Intn(len(a.posts))], author: a,
					kind: kinds[rnd.Intn(len(kinds))], at: time.Now().Add(-time.Duration(rnd.Intn(1e6)) * time.Second),
					weight: rnd.Float64()})
			}
		}
	}
	for i := 0; i < cfg.indexers; i++ {
		ch := make(chan *post, cfg.sinkBuf)
		s.hub.sinks = append(s.hub.sinks, ch)
		go (&dedup{funcs: cfg.minhash, seen: map[uint64]int64{}}).consume(ch)
	}
	go s.hub.run()
	if cfg.fault == "ratelimit" {
		s.pacer = &pacer{every: cfg.paceEvery, next: map[int]time.Time{}}
	}
	dir, err := os.MkdirTemp("", "holdout-feed-")
	if err != nil {
		return err
	}
	svc.AtExit(func() { os.RemoveAll(dir) })
	f, err := os.Create(filepath.Join(dir, "crashes.log"))
	if err != nil {
		return err
	}
	s.crashes = &crashReporter{f: f}
	if cfg.fault == "archivescan" {
		if err := s.openArchive(); err != nil {
			return err
		}
		go s.maintainArchive()
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /v1/posts", s.handlePost)
	mux.HandleFunc("GET /v1/timeline", s.handleTimeline)
	mux.HandleFunc("GET /v1/subscribe", s.handleSubscribe)
	mux.HandleFunc("GET /v1/users/{id}", s.handleUser)
	admin := http.NewServeMux()
	svc.MountPprof(admin, "/ops/debug/pprof")

	ln, err := svc.Listen(addr)
	if err != nil {
		return err
	}
	aln, err := svc.Listen(adminAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s.recoverer(mux), ReadHeaderTimeout: 5 * time.Second}
	scheme := "http"
	ready := map[string]any{}
	if cfg.tlsKey != "off" {
		ca, err := certs.NewCA("holdout feed CA")
		if err != nil {
			return err
		}
		cert, err := ca.Issue("feed.local", cfg.tlsKey, false)
		if err != nil {
			return err
		}
		if ready["ca"], err = ca.WritePEM(dir, "ca.pem"); err != nil {
			return err
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		ln = tls.NewListener(ln, srv.TLSConfig)
		scheme = "https"
	}
	svc.Serve(srv, ln)
	svc.Serve(&http.Server{Handler: admin}, aln)
	adminURL := "http://" + aln.Addr().String()
	ready["url"] = scheme + "://" + ln.Addr().String()
	ready["addr"] = ln.Addr().String()
	ready["admin_url"] = adminURL
	ready["pprof"] = "/ops/debug/pprof"
	ready["pprof_url"] = adminURL + "/ops/debug/pprof"
	ready["app"], ready["fault"], ready["tls"] = "feed", cfg.fault, cfg.tlsKey != "off"
	svc.Ready(ready)
	select {}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (s *server) userParam(r *http.Request, name string) *user {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < 0 {
		n = rand.Intn(len(s.users))
	}
	return s.users[n%len(s.users)]
}

func (s *server) handlePost(w http.ResponseWriter, r *http.Request) {
	u := s.userParam(r, "user")
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	text := strings.TrimSpace(string(body))
	if len(text) < 40 {
		text = "status update: deploy went fine, latency looks flat, coffee break " + text
	}
	if s.pacer != nil {
		s.pacer.wait(u.id)
	}
	p := &post{ID: s.nextPost.Add(1), author: u.id, Text: text, At: time.Now()}
	u.mu.Lock()
	u.posts = append(u.posts, p)
	if len(u.posts) > s.cfg.postsPer {
		u.posts = append(u.posts[:0:0], u.posts[len(u.posts)-s.cfg.postsPer:]...)
	}
	u.mu.Unlock()
	s.hub.publish(p)
	writeJSON(w, 201, map[string]any{"id": p.ID})
}

type timelineEntry struct {
	ID     int64    `json:"id"`
	Author string   `json:"author"`
	Text   string   `json:"text"`
	When   string   `json:"when"`
	Likes  string   `json:"likes"`
	Tags   []string `json:"tags"`
	Score  float64  `json:"score"`
}

// cursorHeap merges the followed users' post lists, newest first.
type cursor struct {
	posts []*post
	i     int
}
type cursorHeap []*cursor

func (h cursorHeap) Len() int           { return len(h) }
func (h cursorHeap) Less(a, b int) bool { return h[a].posts[h[a].i].At.After(h[b].posts[h[b].i].At) }
func (h cursorHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *cursorHeap) Push(x any)        { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

func (s *server) handleTimeline(w http.ResponseWriter, r *http.Request) {
	u := s.userParam(r, "user")
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n <= 0 || n > 200 {
		n = 30
	}
	var h cursorHeap
	for _, f := range u.follows {
		f.mu.Lock()
		list := make([]*post, len(f.posts))
		copy(list, f.posts)
		f.mu.Unlock()
		// newest last -> walk from the end
		for a, b := 0, len(list)-1; a < b; a, b = a+1, b-1 {
			list[a], list[b] = list[b], list[a]
		}
		if len(list) > 0 {
			h = append(h, &cursor{posts: list})
		}
	}
	if s.cfg.fault == "ranking" {
		writeJSON(w, 200, map[string]any{"user": u.name, "entries": s.rank(u, h, n)})
		return
	}
	heap.Init(&h)
	entries := make([]timelineEntry, 0, n)
	for len(entries) < n && h.Len() > 0 {
		c := h[0]
		p := c.posts[c.i]
		entries = append(entries, timelineEntry{
			ID: p.ID, Author: s.users[p.author].name, Text: p.Text,
			When: p.At.Format(time.RFC3339), Likes: strconv.Itoa(p.Likes) + " likes",
			Tags: append([]string(nil), p.Tags...), Score: float64(p.Likes) / (1 + time.Since(p.At).Hours()),
		})
		c.i++
		if c.i == len(c.posts) {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	writeJSON(w, 200, map[string]any{"user": u.name, "entries": entries})
}

// rank scores every candidate post with a small model over named features (one feature map
// per candidate) and returns the n best.
func (s *server) rank(u *user, cands cursorHeap, n int) []timelineEntry {
	affinity := map[int]float64{}
	for _, it := range u.history {
		affinity[it.author.id] += it.weight / (1 + time.Since(it.at).Hours()/24)
	}
	weights := map[string]float64{"likes": 0.02, "age": -0.3, "affinity": 1.5, "length": 0.001, "tags": 0.2, "author_posts": 0.01}
	type scored struct {
		p     *post
		feats map[string]float64
		score float64
	}
	var all []scored
	for _, c := range cands {
		for _, p := range c.posts {
			feats := map[string]float64{
				"likes":        float64(p.Likes),
				"age":          time.Since(p.At).Hours(),
				"affinity":     affinity[p.author],
				"length":       float64(len(p.Text)),
				"tags":         float64(len(p.Tags)),
				"author_posts": float64(len(c.posts)),
			}
			sc := scored{p: p, feats: feats}
			for k, v := range feats {
				sc.score += weights[k] * v
			}
			all = append(all, sc)
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a].score > all[b].score })
	out := make([]timelineEntry, 0, n)
	for _, sc := range all[:min(n, len(all))] {
		p := sc.p
		out = append(out, timelineEntry{ID: p.ID, Author: s.users[p.author].name, Text: p.Text,
			When: p.At.Format(time.RFC3339), Likes: strconv.Itoa(p.Likes) + " likes",
			Tags: append([]string(nil), p.Tags...), Score: sc.score})
	}
	return out
}

func (s *server) handleUser(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	u := s.users[(id%len(s.users)+len(s.users))%len(s.users)]
	u.mu.Lock()
	n := len(u.posts)
	u.mu.Unlock()
	writeJSON(w, 200, map[string]any{"id": u.id, "name": u.name, "posts": n, "following": len(u.follows)})
}

func authorsOf(u *user) []int {
	out := make([]int, 0, len(u.follows))
	for _, f := range u.follows {
		if f != nil {
			out = append(out, f.id)
		}
	}
	return out
}

// handleSubscribe long-polls: it answers with the next post by someone the user follows, or
// 204 after poll-wait.
func (s *server) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	u := s.userParam(r, "user")
	authors := authorsOf(u)
	sub := s.hub.join(u.id, authors)
	out := make(chan []byte)
	go s.pump(sub, out)
	if s.cfg.fault != "disconnectleak" {
		defer s.hub.leave(sub, authors)
	}
	timer := time.NewTimer(s.cfg.pollWait)
	defer timer.Stop()
	select {
	case <-r.Context().Done():
		return // the client went away
	case b := <-out:
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	case <-timer.C:
		w.WriteHeader(http.StatusNoContent)
	}
	if s.cfg.fault == "disconnectleak" {
		s.hub.leave(sub, authors)
	}
}

// pump renders posts for one long-poll request until the subscription ends.
func (s *server) pump(sub *subscription, out chan<- []byte) {
	for {
		select {
		case p := <-sub.ch:
			b, _ := json.Marshal(map[string]any{"post": p, "author": s.users[p.author].name})
			select {
			case out <- b:
			case <-sub.gone:
				return
			}
		case <-sub.gone:
			return
		}
	}
}

// pacer spaces each author's posts at least `every` apart, delaying the request.
type pacer struct {
	mu    sync.Mutex
	every time.Duration
	next  map[int]time.Time
}

func (p *pacer) wait(author int) {
	p.mu.Lock()
	now := time.Now()
	t := p.next[author]
	if t.Before(now) {
		t = now
	}
	p.next[author] = t.Add(p.every)
	p.mu.Unlock()
	time.Sleep(t.Sub(now))
}

// crashReporter writes a crash report for every recovered panic, with the stacks of all
// goroutines so that on-call can see what else was going on.
type crashReporter struct {
	mu sync.Mutex
	f  *os.File
	n  int
}

func (c *crashReporter) report(r *http.Request, v any) {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	fmt.Fprintf(c.f, "=== crash %d %s %s: %v\n", c.n, r.Method, r.URL, v)
	c.f.Write(buf)
}

func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.crashes.report(r, v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// openArchive maps the post archive (anonymous memory here; a file in production) and fills
// it with newline-separated records.
func (s *server) openArchive() error {
	b, err := syscall.Mmap(-1, 0, s.cfg.archiveMB<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return fmt.Errorf("archive: mmap: %w", err)
	}
	rec := []byte(`{"id":0,"text":"archived post about latency and deploys","likes":3}` + "\n")
	for off := 0; off+len(rec) <= len(b); off += len(rec) {
		copy(b[off:], rec)
	}
	s.archive = b
	return nil
}

// maintainArchive counts the archive's records and tombstones periodically for the
// compaction planner.
func (s *server) maintainArchive() {
	t := time.NewTicker(s.cfg.scanEvery)
	tomb := []byte{0x1e}
	for range t.C {
		live := bytes.Count(s.archive, []byte{'\n'})
		dead := bytes.Count(s.archive, tomb)
		s.records.Store(int64(live - dead))
	}
}
