// Command loadgen drives the scenario service with a bounded load (open loop at -rate, or a
// closed loop of -c clients) and prints the
// client-side latency distribution as one JSON object on stdout. It only talks to loopback
// addresses, stops at whichever of -n (requests) and -d (duration) comes first, and never
// runs unbounded: -d defaults to 10s and is capped at 10 minutes.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type stats struct {
	Requests    int64              `json:"requests"`
	Errors      int64              `json:"errors"`
	Status      map[string]int64   `json:"status"`
	DurationS   float64            `json:"duration_s"`
	RPS         float64            `json:"rps"`
	LatencyMS   latency            `json:"latency_ms"`
	PerPath     map[string]latency `json:"per_path"`
	Concurrency int                `json:"concurrency"`
	StoppedBy   string             `json:"stopped_by"`
	Mode        string             `json:"mode"`
	Dropped     int64              `json:"dropped"`
	// ErrorSamples holds the first distinct transport errors and non-2xx bodies (at most 5),
	// so a failed run says why.
	ErrorSamples []string `json:"error_samples,omitempty"`
}

type latency struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
}

type sample struct {
	path string
	dur  time.Duration
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
	os.Exit(2)
}

// percentile uses the nearest-rank method on sorted durations.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	if rank < 0 {
		rank = 0
	}
	return ms(sorted[rank])
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func summarize(ds []time.Duration) latency {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	l := latency{Count: int64(len(ds))}
	if len(ds) == 0 {
		return l
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	l.P50, l.P95, l.P99 = percentile(ds, 50), percentile(ds, 95), percentile(ds, 99)
	l.Max, l.Mean = ms(ds[len(ds)-1]), ms(sum/time.Duration(len(ds)))
	return l
}

func checkLoopback(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		fatalf("-url %q must be an http:// or https:// URL", raw)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fatalf("refusing %q: only loopback targets are allowed", raw)
	}
	return u
}

func discoverPaths(client *http.Client, base string) []string {
	resp, err := client.Get(base + "/scenario")
	if err != nil {
		fatalf("cannot ask %s/scenario for paths: %v", base, err)
	}
	defer resp.Body.Close()
	var info struct {
		Paths []string `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || len(info.Paths) == 0 {
		fatalf("%s/scenario gave no paths (%v); pass -paths", base, err)
	}
	return info.Paths
}

func main() {
	rawURL := flag.String("url", "", "service base URL (loopback only), e.g. http://127.0.0.1:PORT")
	pathList := flag.String("paths", "", "comma-separated request paths (default: the service's /scenario list)")
	n := flag.Int64("n", 0, "stop after this many requests (0 = no count limit)")
	dur := flag.Duration("d", 10*time.Second, "stop after this long (at most 10m)")
	conc := flag.Int("c", 64, "requests in flight at most (open loop), or clients (closed loop with -rate 0)")
	rate := flag.Float64("rate", 200, "arrivals per second (open loop); 0 = closed loop of -c clients")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request timeout")
	caFile := flag.String("ca", "", "CA certificate (PEM) for an https service")
	insecure := flag.Bool("insecure", false, "skip certificate verification")
	flag.Parse()
	if *rawURL == "" {
		fatalf("-url is required")
	}
	if *dur <= 0 || *dur > 10*time.Minute {
		fatalf("-d must be in (0, 10m]")
	}
	if *conc < 1 || *conc > 1024 {
		fatalf("-c must be in [1, 1024]")
	}
	base := strings.TrimSuffix(checkLoopback(*rawURL).String(), "/")

	tcfg := &tls.Config{InsecureSkipVerify: *insecure}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fatalf("%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fatalf("no certificate in %s", *caFile)
		}
		tcfg.RootCAs = pool
	}
	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{
		TLSClientConfig: tcfg, MaxIdleConnsPerHost: *conc, Proxy: nil,
	}}
	var paths []string
	if *pathList != "" {
		paths = strings.Split(*pathList, ",")
	} else {
		paths = discoverPaths(client, base)
	}

	var issued, errs, dropped, next atomic.Int64
	var mu sync.Mutex
	status := map[string]int64{}
	var samples []sample
	var errorSamples []string
	start := time.Now()
	deadline := start.Add(*dur)
	// one request; paths are taken round-robin over all requests
	do := func() {
		p := paths[int(next.Add(1)-1)%len(paths)]
		t0 := time.Now()
		resp, err := client.Get(base + p)
		code, why := "error", ""
		if err == nil {
			if resp.StatusCode/100 != 2 {
				body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
				why = fmt.Sprintf("%s %s: HTTP %d: %s", "GET", p, resp.StatusCode, strings.TrimSpace(string(body)))
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			code = fmt.Sprint(resp.StatusCode)
		} else {
			why = err.Error()
		}
		d := time.Since(t0)
		mu.Lock()
		if why != "" && len(errorSamples) < 5 && !slicesContains(errorSamples, why) {
			errorSamples = append(errorSamples, why)
		}
		status[code]++
		if err != nil {
			errs.Add(1)
		} else {
			samples = append(samples, sample{path: p, dur: d})
		}
		mu.Unlock()
	}
	countOK := func() bool { return *n <= 0 || issued.Add(1) <= *n }
	var wg sync.WaitGroup
	mode := "closed"
	if *rate > 0 {
		// Open loop: arrivals at a fixed rate whatever the service does, at most -c in flight
		// (an arrival finding -c requests in flight is dropped and counted).
		mode = "open"
		sem := make(chan struct{}, *conc)
		t := time.NewTicker(time.Duration(float64(time.Second) / *rate))
		timer := time.NewTimer(time.Until(deadline))
	loop:
		for {
			select {
			case <-timer.C:
				break loop
			case <-t.C:
			}
			if !countOK() {
				break
			}
			select {
			case sem <- struct{}{}:
				wg.Add(1)
				go func() { defer wg.Done(); do(); <-sem }()
			default:
				dropped.Add(1)
			}
		}
		t.Stop()
	} else {
		for w := 0; w < *conc; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) && countOK() {
					do()
				}
			}()
		}
	}
	wg.Wait()
	stoppedBy := "duration"
	if *n > 0 && issued.Load() > *n {
		stoppedBy = "count"
	}
	elapsed := time.Since(start)

	all := make([]time.Duration, 0, len(samples))
	byPath := map[string][]time.Duration{}
	for _, s := range samples {
		all = append(all, s.dur)
		byPath[s.path] = append(byPath[s.path], s.dur)
	}
	out := stats{Requests: int64(len(samples)) + errs.Load(), Errors: errs.Load(), Status: status,
		DurationS: math.Round(elapsed.Seconds()*1000) / 1000, Concurrency: *conc,
		PerPath: map[string]latency{}, StoppedBy: stoppedBy, Mode: mode, Dropped: dropped.Load(),
		ErrorSamples: errorSamples}
	out.RPS = math.Round(float64(out.Requests)/elapsed.Seconds()*10) / 10
	out.LatencyMS = summarize(all)
	for p, ds := range byPath {
		out.PerPath[p] = summarize(ds)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// slicesContains reports whether v is in list (the slices package needs Go 1.21; the
// scenario programs build with older toolchains too).
func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
