// hload is the holdout load generator: closed-loop clients or open-loop Poisson arrivals
// (optionally in on/off bursts) over a weighted request mix, with per-request client timeouts
// (disconnects), keep-alive on or off, HTTPS, and idle keep-alive connections held open. It
// prints one JSON summary with client-side latency percentiles. Loopback targets only.
//
//	hload -url http://127.0.0.1:8080 -d 8s -c 16 -mix 'GET /v1/orders/{n}*4,POST /v1/orders*1'
//	hload -url ... -rate 150 -burst 300ms/700ms -c 64 -timeout 50ms -no-keepalive
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type request struct {
	method, path string
	weight       int
}

// parseMix reads "METHOD PATH*WEIGHT,..." (method defaults to GET, weight to 1).
func parseMix(s string) ([]request, error) {
	var out []request
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		r := request{method: "GET", weight: 1}
		if i := strings.LastIndexByte(item, '*'); i >= 0 {
			w, err := strconv.Atoi(item[i+1:])
			if err != nil || w < 1 {
				return nil, fmt.Errorf("bad weight in %q", item)
			}
			r.weight, item = w, item[:i]
		}
		if m, p, ok := strings.Cut(item, " "); ok {
			r.method, item = strings.ToUpper(m), strings.TrimSpace(p)
		}
		if !strings.HasPrefix(item, "/") {
			return nil, fmt.Errorf("path must start with / in %q", item)
		}
		r.path = item
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, errors.New("empty request mix")
	}
	return out, nil
}

// expand fills the placeholders: {n} a number in [0,10000), {u} a user in [0,100),
// {h} a "hot" user in [0,4).
func expand(p string, rnd *rand.Rand) string {
	for _, ph := range []struct {
		name string
		max  int
	}{{"{n}", 10000}, {"{u}", 100}, {"{h}", 4}} {
		for strings.Contains(p, ph.name) {
			p = strings.Replace(p, ph.name, strconv.Itoa(rnd.Intn(ph.max)), 1)
		}
	}
	return p
}

type result struct {
	path    string
	status  int
	lat     time.Duration
	timeout bool
	err     bool
}

type stats struct {
	mu      sync.Mutex
	results []result
}

func (s *stats) add(r result) {
	s.mu.Lock()
	s.results = append(s.results, r)
	s.mu.Unlock()
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return math.Round(sorted[i]*1000) / 1000
}

func latencyJSON(ms []float64) map[string]any {
	sort.Float64s(ms)
	m := map[string]any{"count": len(ms)}
	if len(ms) > 0 {
		sum := 0.0
		for _, v := range ms {
			sum += v
		}
		m["p50"], m["p90"], m["p99"] = pct(ms, 50), pct(ms, 90), pct(ms, 99)
		m["max"] = pct(ms, 100)
		m["mean"] = math.Round(sum/float64(len(ms))*1000) / 1000
	}
	return m
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("hload: ")
	base := flag.String("url", "", "service base URL (loopback)")
	dur := flag.Duration("d", 10*time.Second, "test duration (at most 10m)")
	conc := flag.Int("c", 8, "closed-loop clients; with -rate, the most requests in flight")
	rate := flag.Float64("rate", 0, "open-loop Poisson arrival rate per second (0 = closed loop)")
	burst := flag.String("burst", "", "open loop in on/off bursts, e.g. 300ms/700ms")
	mix := flag.String("mix", "GET /", "weighted request mix: 'METHOD PATH*WEIGHT,...'")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request client timeout (the client disconnects)")
	noKeepAlive := flag.Bool("no-keepalive", false, "a new connection for every request")
	body := flag.Int("body", 256, "bytes of JSON body sent with POST/PUT")
	caFile := flag.String("ca", "", "PEM CA to trust for https")
	idle := flag.Int("idle-conns", 0, "extra keep-alive connections opened at start and left idle")
	idlePath := flag.String("idle-path", "/healthz", "request sent once on each idle connection")
	think := flag.Duration("think", 0, "closed loop: pause between a client's requests")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()

	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		log.Fatalf("-url must be http(s)://HOST:PORT")
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		log.Fatalf("refusing non-loopback target %q", u.Host)
	}
	if *dur <= 0 || *dur > 10*time.Minute || *conc < 1 {
		log.Fatalf("bad -d or -c")
	}
	reqs, err := parseMix(*mix)
	if err != nil {
		log.Fatal(err)
	}
	total := 0
	for _, r := range reqs {
		total += r.weight
	}
	var onPeriod, offPeriod time.Duration
	if *burst != "" {
		a, b, ok := strings.Cut(*burst, "/")
		onPeriod, err = time.ParseDuration(a)
		if err == nil && ok {
			offPeriod, err = time.ParseDuration(b)
		}
		if err != nil || !ok || onPeriod <= 0 || offPeriod < 0 {
			log.Fatalf("bad -burst %q (want ON/OFF durations)", *burst)
		}
	}

	tlsConf := &tls.Config{}
	if *caFile != "" {
		pemBytes, err := os.ReadFile(*caFile)
		if err != nil {
			log.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			log.Fatalf("%s: no certificates", *caFile)
		}
		tlsConf.RootCAs = pool
	}
	tr := &http.Transport{
		Proxy:               nil,
		TLSClientConfig:     tlsConf,
		DisableKeepAlives:   *noKeepAlive,
		MaxIdleConns:        *conc + 16,
		MaxIdleConnsPerHost: *conc + 16,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: tr, Timeout: *timeout}
	payload := bytes.Repeat([]byte("x"), max(*body-16, 0))
	payload = []byte(`{"note":"` + string(payload) + `"}`)

	// Idle connections: one request each on a transport of their own, then held open.
	var idleTr *http.Transport
	if *idle > 0 {
		idleTr = &http.Transport{Proxy: nil, TLSClientConfig: tlsConf, MaxIdleConnsPerHost: *idle}
		ic := &http.Client{Transport: idleTr, Timeout: 10 * time.Second}
		var wg sync.WaitGroup
		for i := 0; i < *idle; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if resp, err := ic.Get(*base + *idlePath); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
	}

	st := &stats{}
	var seq atomic.Int64
	do := func(ctx context.Context, rnd *rand.Rand) {
		pick := rnd.Intn(total)
		var r request
		for _, r = range reqs {
			if pick < r.weight {
				break
			}
			pick -= r.weight
		}
		path := expand(r.path, rnd)
		var rb io.Reader
		if r.method == "POST" || r.method == "PUT" {
			rb = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, r.method, *base+path, rb)
		if err != nil {
			log.Fatal(err)
		}
		seq.Add(1)
		start := time.Now()
		resp, err := client.Do(req)
		res := result{path: r.method + " " + r.path}
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			res.status = resp.StatusCode
		}
		res.lat = time.Since(start)
		if err != nil {
			if ctx.Err() != nil {
				return // the run ended; not a result
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				res.timeout = true
			} else {
				res.err = true
			}
		}
		st.add(res)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	begin := time.Now()
	var wg sync.WaitGroup
	if *rate <= 0 {
		for i := 0; i < *conc; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				rnd := rand.New(rand.NewSource(*seed + int64(i)))
				for ctx.Err() == nil {
					do(ctx, rnd)
					if *think > 0 {
						select {
						case <-ctx.Done():
						case <-time.After(*think):
						}
					}
				}
			}(i)
		}
	} else {
		sem := make(chan struct{}, *conc)
		rnd := rand.New(rand.NewSource(*seed))
		var shed atomic.Int64
		next := time.Now()
	loop:
		for {
			next = next.Add(time.Duration(rnd.ExpFloat64() / *rate * float64(time.Second)))
			if onPeriod > 0 {
				// Arrivals only in the on part of each on+off cycle.
				cycle := onPeriod + offPeriod
				if off := next.Sub(begin) % cycle; off >= onPeriod {
					next = next.Add(cycle - off)
				}
			}
			select {
			case <-ctx.Done():
				break loop
			case <-time.After(time.Until(next)):
			}
			select {
			case sem <- struct{}{}:
			default:
				shed.Add(1)
				continue
			}
			wg.Add(1)
			r2 := rand.New(rand.NewSource(rnd.Int63()))
			go func() {
				defer wg.Done()
				do(ctx, r2)
				<-sem
			}()
		}
		defer func() { fmt.Fprintf(os.Stderr, "hload: %d arrivals shed (in-flight limit %d)\n", shed.Load(), *conc) }()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if idleTr != nil {
		idleTr.CloseIdleConnections()
	}

	status := map[string]int{}
	var all []float64
	perPath := map[string][]float64{}
	nerr, nto := 0, 0
	for _, r := range st.results {
		switch {
		case r.timeout:
			nto++
			continue
		case r.err:
			nerr++
			continue
		}
		status[strconv.Itoa(r.status)]++
		ms := float64(r.lat) / float64(time.Millisecond)
		all = append(all, ms)
		perPath[r.path] = append(perPath[r.path], ms)
	}
	pp := map[string]any{}
	for k, v := range perPath {
		pp[k] = latencyJSON(v)
	}
	out := map[string]any{
		"requests":    len(st.results),
		"errors":      nerr,
		"timeouts":    nto,
		"status":      status,
		"duration_s":  math.Round(elapsed.Seconds()*1000) / 1000,
		"rps":         math.Round(float64(len(st.results))/elapsed.Seconds()*10) / 10,
		"latency_ms":  latencyJSON(all),
		"per_path":    pp,
		"concurrency": *conc,
		"rate":        *rate,
		"keepalive":   !*noKeepAlive,
		"idle_conns":  *idle,
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
