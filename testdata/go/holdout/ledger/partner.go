// The helper child processes. -role partner plays everyone the ledger talks to: the card
// network (HTTP /authorize, with a per-window rate limit), the merchants' webhook sink, the
// risk engine (a line protocol over TCP), the clearing house (a line protocol over TLS) and a
// DNS server. -role exporter is the journal export sidecar: it copies the journal file to
// backup storage under a shared flock(2), as such tools do.
package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gorca.test/holdout/internal/certs"
	"gorca.test/holdout/internal/slowdns"
	"gorca.test/holdout/internal/svc"
)

// partnerArgs are the flags the ledger passes to its partner child.
func partnerArgs(cfg config) []string {
	dns, risk := time.Duration(0), time.Duration(0)
	if cfg.fault == "ptrlookup" {
		dns = cfg.dnsDelay
	}
	if cfg.fault == "riskslow" {
		risk = cfg.riskDelay
	}
	return []string{"-fault", cfg.fault, "-dns-delay", dns.String(), "-risk-delay", risk.String(),
		"-hook-fail-at", strconv.Itoa(cfg.hookFailAt), "-clearing-rsa", strconv.Itoa(cfg.rsaBits)}
}

func runPartner(cfg config) {
	ready := map[string]any{}

	// DNS: answers A/AAAA/PTR after the configured delay (0 unless ptrlookup).
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go (&slowdns.Server{Delay: cfg.dnsDelay}).Serve(pc)
	ready["dns_addr"] = pc.LocalAddr().String()

	// Card network and webhook sink.
	var (
		winMu    sync.Mutex
		winStart = time.Now()
		winUsed  int
		hooks    atomic.Int64
	)
	const window, perWindow = 100 * time.Millisecond, 6 // 60 authorizations/s per API key
	mux := http.NewServeMux()
	mux.HandleFunc("POST /authorize", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if cfg.fault == "retryafter" {
			winMu.Lock()
			now := time.Now()
			if now.Sub(winStart) >= window {
				winStart, winUsed = now.Truncate(window), 0
			}
			left := window - now.Sub(winStart)
			over := winUsed >= perWindow
			if !over {
				winUsed++
			}
			winMu.Unlock()
			if over {
				w.Header().Set("Retry-After-Ms", strconv.FormatInt(left.Milliseconds()+1, 10))
				w.WriteHeader(http.StatusTooManyRequests)
				io.WriteString(w, `{"error":"rate limited"}`)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"approved":true,"auth_code":"A%06d"}`, time.Now().Nanosecond()%1000000)
	})
	mux.HandleFunc("POST /hooks/{merchant}", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n := hooks.Add(1)
		if cfg.fault == "outboxstall" && int(n) == cfg.hookFailAt {
			// One merchant endpoint has a bad moment: a single 503.
			http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	hl, err := svc.Listen("")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(hl, mux)
	ready["http_url"] = "http://" + hl.Addr().String()

	// Risk engine: "SCORE card amount\n" -> "OK score\n", one request at a time per connection.
	rl, err := svc.Listen("")
	if err != nil {
		log.Fatal(err)
	}
	go serveLines(rl, func(line string) string {
		if cfg.riskDelay > 0 {
			time.Sleep(cfg.riskDelay) // the engine's own model evaluation and queueing
		}
		f := strings.Fields(line)
		score := 0
		if len(f) == 3 {
			score = len(f[1])*7%100 + len(f[2])
		}
		return fmt.Sprintf("OK %d\n", score)
	})
	ready["risk_addr"] = rl.Addr().String()

	// Clearing house over TLS: "CLEAR id amount\n" -> "ACK id\n" per line.
	ca, err := certs.NewCA("holdout clearing CA")
	if err != nil {
		log.Fatal(err)
	}
	spec := "ecdsa"
	if cfg.fault == "clearingtls" {
		spec = fmt.Sprintf("rsa%d", cfg.rsaBits)
	}
	cert, err := ca.Issue("clearing.holdout.test", spec, false)
	if err != nil {
		log.Fatal(err)
	}
	tl, err := svc.Listen("")
	if err != nil {
		log.Fatal(err)
	}
	tlsl := tls.NewListener(tl, &tls.Config{Certificates: []tls.Certificate{cert}})
	go serveLines(tlsl, func(line string) string {
		f := strings.Fields(line)
		if len(f) < 2 {
			return "" // a malformed line ends the connection
		}
		return fmt.Sprintf("ACK %s\n", f[1])
	})
	ready["clearing_addr"] = tl.Addr().String()
	ready["clearing_ca"] = string(ca.PEM)
	svc.Ready(ready)
	select {}
}

// serveLines answers a line protocol on ln: one goroutine per connection reads a line at a
// time and writes answer(line); an empty answer closes the connection.
func serveLines(ln net.Listener, answer func(line string) string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			br := bufio.NewReader(c)
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				out := answer(line)
				if out == "" {
					return
				}
				io.WriteString(c, out)
			}
		}(c)
	}
}

// runExporter copies the journal to "backup storage" every -export-every, holding a shared
// flock on the journal for the whole copy, which the throttled destination makes last about
// -export-hold.
func runExporter(cfg config, path string) {
	svc.Ready(map[string]any{"journal": path})
	for {
		time.Sleep(cfg.exportEvery)
		f, err := os.Open(path)
		if err != nil {
			log.Printf("export: %v", err)
			continue
		}
		start := time.Now()
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
			log.Printf("export: flock: %v", err)
			f.Close()
			continue
		}
		st, _ := f.Stat()
		size := st.Size()
		if size > 4<<20 {
			f.Seek(size-4<<20, io.SeekStart) // incremental: the tail since the last export
		}
		io.Copy(io.Discard, f)
		// The backup destination accepts data slowly; the lock is held until it has it all.
		if d := cfg.exportHold - time.Since(start); d > 0 {
			time.Sleep(d)
		}
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}

// partnerInfo is the partner child's ready line.
type partnerInfo struct {
	httpURL, riskAddr, clearingAddr, dnsAddr string
	clearingCA                               []byte
}

func readPartner(c *svc.Child) partnerInfo {
	return partnerInfo{httpURL: c.String("http_url"), riskAddr: c.String("risk_addr"),
		clearingAddr: c.String("clearing_addr"), dnsAddr: c.String("dns_addr"),
		clearingCA: []byte(c.String("clearing_ca"))}
}
