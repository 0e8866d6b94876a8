// The gateway itself: fan-out of product requests to the upstreams, the legacy reverse proxy,
// and the outbound HTTP clients the faults change (slow DNS in the dial path, per-call mTLS
// clients, hedged calls).
package main

import (
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
	"net/http/httputil"
	"net/http/pprof"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"gorca.test/holdout/internal/certs"
	"gorca.test/holdout/internal/slowdns"
	"gorca.test/holdout/internal/svc"
)

type gateway struct {
	cfg        config
	client     *http.Client
	base       map[string]string // upstream service name -> base URL
	clientCert tls.Certificate
	roots      *x509.CertPool
}

var upstreamNames = []string{"pricing", "inventory", "reviews"}

func runGateway(cfg config, addr, adminAddr string) error {
	g := &gateway{cfg: cfg, base: map[string]string{}}
	var childArgs []string
	if cfg.fault == "mtls" {
		dir, err := os.MkdirTemp("", "holdout-gateway-tls-")
		if err != nil {
			return err
		}
		svc.AtExit(func() { os.RemoveAll(dir) })
		ca, err := certs.NewCA("holdout mesh CA")
		if err != nil {
			return err
		}
		server, err := ca.Issue("upstream.mesh", "rsa2048", false)
		if err != nil {
			return err
		}
		g.clientCert, err = ca.Issue("gateway.mesh", cfg.clientKey, true)
		if err != nil {
			return err
		}
		if _, err := ca.WritePEM(dir, "ca.pem"); err != nil {
			return err
		}
		if err := certs.WriteKeyPair(dir, "server", server); err != nil {
			return err
		}
		g.roots = ca.Pool()
		childArgs = append(childArgs, "-tls-dir", dir)
	}
	childArgs = append(childArgs, "-fault", cfg.fault,
		"-trickle-chunks", fmt.Sprint(cfg.trickleChunks), "-trickle-every", cfg.trickleEvery.String(),
		"-dns-delay", cfg.dnsDelay.String(), "-slow-share", fmt.Sprint(cfg.slowShare),
		"-slow-delay", cfg.slowDelay.String())
	child, err := svc.Spawn("upstream", childArgs...)
	if err != nil {
		return err
	}

	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
	}
	up, _ := url.Parse(child.String("url"))
	for _, name := range upstreamNames {
		g.base[name] = child.String("url")
	}
	switch cfg.fault {
	case "dns":
		// Upstreams by service name; keep-alives off so that every new connection is spread
		// by DNS round robin over the upstream's replicas.
		dialer.Resolver = slowdns.Resolver(child.String("dns_addr"))
		tr.DisableKeepAlives = true
		for _, name := range upstreamNames {
			g.base[name] = "http://" + name + ".svc.holdout.test.:" + up.Port()
		}
		up.Host = "legacy.svc.holdout.test.:" + up.Port()
	case "mtls":
		for _, name := range upstreamNames {
			g.base[name] = child.String("https_url")
		}
	}
	g.client = &http.Client{Transport: tr}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /api/products/{id}", g.handleProduct)
	legacy := httputil.NewSingleHostReverseProxy(up)
	legacy.Transport = tr
	mux.Handle("GET /api/legacy/", http.StripPrefix("/api", legacy))

	pprofMux := http.NewServeMux()
	pprofMux.HandleFunc("/debug/pprof/", pprof.Index)
	pprofMux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	pprofMux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	pprofMux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	pprofMux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	admin := http.NewServeMux()
	admin.Handle("/admin/debug/", http.StripPrefix("/admin", pprofMux))

	ln, err := svc.Listen(addr)
	if err != nil {
		return err
	}
	aln, err := svc.Listen(adminAddr)
	if err != nil {
		return err
	}
	svc.Serve(&http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln)
	svc.Serve(&http.Server{Handler: admin}, aln)
	adminURL := "http://" + aln.Addr().String()
	svc.Ready(map[string]any{
		"url": "http://" + ln.Addr().String(), "addr": ln.Addr().String(),
		"admin_url": adminURL, "pprof": "/admin/debug/pprof", "pprof_url": adminURL + "/admin/debug/pprof",
		"app": "gateway", "fault": cfg.fault,
	})
	select {}
}

func (g *gateway) handleProduct(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var wg sync.WaitGroup
	parts := make([]json.RawMessage, len(upstreamNames))
	errs := make([]error, len(upstreamNames))
	for i, name := range upstreamNames {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i], errs[i] = g.fetch(r.Context(), name, id)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		log.Printf("product %s: %v", id, err)
		http.Error(w, `{"error":"upstream failure"}`, http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]json.RawMessage{
		"pricing": parts[0], "inventory": parts[1], "reviews": parts[2],
	})
}

func (g *gateway) fetch(ctx context.Context, name, id string) (json.RawMessage, error) {
	u := g.base[name] + "/" + name + "/" + id
	switch {
	case g.cfg.fault == "hedge" && name == "pricing":
		return g.fetchHedged(u)
	case g.cfg.fault == "mtls":
		c, done := g.newMeshClient()
		defer done()
		return get(ctx, c, u)
	}
	return get(ctx, g.client, u)
}

func get(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	return body, nil
}

// newMeshClient builds the mTLS client for one upstream call (the service identity is read
// per call so that certificate rotation "just works").
func (g *gateway) newMeshClient() (*http.Client, func()) {
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{
			Certificates: []tls.Certificate{g.clientCert},
			RootCAs:      g.roots,
			ServerName:   "upstream.mesh",
		},
		MaxIdleConnsPerHost: 4,
	}
	return &http.Client{Transport: tr}, tr.CloseIdleConnections
}

// fetchHedged sends a second pricing request when the first has not answered within
// hedgeAfter and takes whichever response comes first. The attempts run detached from the
// incoming request so that a finished request does not cancel the other attempt's connection.
func (g *gateway) fetchHedged(u string) ([]byte, error) {
	type attempt struct {
		resp *http.Response
		err  error
	}
	results := make(chan attempt)
	try := func() {
		req, err := http.NewRequestWithContext(context.Background(), "GET", u, nil)
		if err != nil {
			results <- attempt{err: err}
			return
		}
		resp, err := g.client.Do(req)
		results <- attempt{resp, err}
	}
	go try()
	var a attempt
	select {
	case a = <-results:
	case <-time.After(g.cfg.hedgeAfter):
		go try()
		a = <-results
	}
	if a.err != nil {
		return nil, a.err
	}
	defer a.resp.Body.Close()
	body, err := io.ReadAll(a.resp.Body)
	if err == nil && a.resp.StatusCode != 200 {
		err = errors.New(strings.TrimSpace(a.resp.Status))
	}
	return body, err
}
