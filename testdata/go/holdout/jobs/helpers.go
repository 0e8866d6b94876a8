// The helper child processes: a slow DNS server (srvdns) and an object store that reads
// uploads at a fixed rate (upload).
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"gorca.test/holdout/internal/slowdns"
	"gorca.test/holdout/internal/svc"
)

func runHelper(role string, cfg config) {
	switch role {
	case "dns":
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		svc.Ready(map[string]any{"dns_addr": pc.LocalAddr().String()})
		(&slowdns.Server{Delay: cfg.dnsDelay, SRVPort: 8443}).Serve(pc)
	case "objstore":
		mux := http.NewServeMux()
		mux.HandleFunc("PUT /objects/{key}", func(w http.ResponseWriter, r *http.Request) {
			// Ingest throttled to store-kbps: a busy store, or one far away.
			buf := make([]byte, 32<<10)
			per := time.Duration(float64(len(buf)) / float64(cfg.storeRate<<10) * float64(time.Second))
			var n int64
			for {
				k, err := r.Body.Read(buf)
				n += int64(k)
				if err == io.EOF {
					break
				}
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				time.Sleep(per)
			}
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"key":%q,"bytes":%d}`, r.PathValue("key"), n)
		})
		ln, err := svc.Listen("")
		if err != nil {
			log.Fatal(err)
		}
		svc.Ready(map[string]any{"url": "http://" + ln.Addr().String()})
		log.Fatal(http.Serve(ln, mux))
	}
}
