// The upstream services the gateway calls, served by the child process: pricing, inventory,
// reviews and a legacy API, plus (per fault) a slow DNS server and an mTLS listener.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorca.test/holdout/internal/slowdns"
	"gorca.test/holdout/internal/svc"
)

func reviewsBody(id string) []byte {
	var b strings.Builder
	b.WriteString(`{"product":"` + id + `","reviews":[`)
	for i := 0; i < 8; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"stars":%d,"text":"Review %d of %s: does what it says, arrived on time."}`, 1+i%5, i, id)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

func runUpstream(cfg config, addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pricing/{id}", func(w http.ResponseWriter, r *http.Request) {
		if cfg.fault == "hedge" && rand.Intn(100) < cfg.slowShare {
			time.Sleep(cfg.slowDelay) // a cold cache on the pricing side
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"product":%q,"cents":%d,"currency":"EUR"}`, r.PathValue("id"), 100+rand.Intn(9900))
	})
	mux.HandleFunc("GET /inventory/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"product":%q,"warehouses":{"ams":%d,"fra":%d}}`, r.PathValue("id"), rand.Intn(50), rand.Intn(50))
	})
	mux.HandleFunc("GET /reviews/{id}", func(w http.ResponseWriter, r *http.Request) {
		body := reviewsBody(r.PathValue("id"))
		w.Header().Set("Content-Type", "application/json")
		if cfg.fault != "trickle" {
			w.Write(body)
			return
		}
		// A struggling backend (or a congested link): the body dribbles out.
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		fl := w.(http.Flusher)
		chunk := max(len(body)/cfg.trickleChunks+1, 1)
		for len(body) > 0 {
			n := min(chunk, len(body))
			if _, err := w.Write(body[:n]); err != nil {
				return
			}
			fl.Flush()
			body = body[n:]
			if len(body) > 0 {
				time.Sleep(cfg.trickleEvery)
			}
		}
	})
	mux.HandleFunc("GET /legacy/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"path": r.URL.Path, "items": []int{1, 2, 3}})
	})

	ln, err := svc.Listen(addr)
	if err != nil {
		log.Fatal(err)
	}
	svc.Serve(&http.Server{Handler: mux}, ln)
	ready := map[string]any{"url": "http://" + ln.Addr().String(), "addr": ln.Addr().String()}

	if cfg.fault == "dns" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		go (&slowdns.Server{Delay: cfg.dnsDelay}).Serve(pc)
		ready["dns_addr"] = pc.LocalAddr().String()
	}
	if cfg.fault == "mtls" {
		cert, err := tls.LoadX509KeyPair(filepath.Join(cfg.tlsDir, "server.pem"), filepath.Join(cfg.tlsDir, "server-key.pem"))
		if err != nil {
			log.Fatal(err)
		}
		caPEM, err := os.ReadFile(filepath.Join(cfg.tlsDir, "ca.pem"))
		if err != nil {
			log.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(caPEM)
		tln, err := svc.Listen("")
		if err != nil {
			log.Fatal(err)
		}
		srv := &http.Server{Handler: mux, TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
		}}
		go srv.ServeTLS(tln, "", "")
		ready["https_url"] = "https://" + tln.Addr().String()
	}
	svc.Ready(ready)
	select {}
}
