// Loopback backends the modes talk to, each real: a UDP DNS server that answers late (dns), a
// payment API that stalls (outbound), an identity provider with a large RSA key reached over a
// fresh TLS connection per request (tls), a journal file fsync'ed per request (fsync) and
// CPU-bound indexers under a low GOMAXPROCS (cpu).
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// ---- dns -------------------------------------------------------------------------------

const inventoryHost = "inventory.backend.gorca.test."

type inventoryDNS struct {
	conn     net.PacketConn
	resolver *net.Resolver
	delay    time.Duration
}

// newInventoryDNS starts a UDP DNS server on loopback that answers every query after delay,
// and a pure-Go resolver whose every query goes to it.
func newInventoryDNS(delay time.Duration) (*inventoryDNS, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &inventoryDNS{conn: pc, delay: delay}
	addr := pc.LocalAddr().String()
	d.resolver = &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var nd net.Dialer
			return nd.DialContext(ctx, "udp", addr)
		},
	}
	go d.serve()
	return d, nil
}

func (d *inventoryDNS) close() { d.conn.Close() }

func (d *inventoryDNS) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		q := append([]byte(nil), buf[:n]...)
		go func() {
			time.Sleep(d.delay)
			if resp := dnsAnswer(q); resp != nil {
				d.conn.WriteTo(resp, from)
			}
		}()
	}
}

// dnsAnswer builds the response to one query: A queries get 127.0.0.1 with TTL 0, other types
// an empty NOERROR answer. Returns nil for messages that are not a single plain question.
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil
	}
	i := 12
	for i < len(q) && q[i] != 0 {
		if q[i]&0xc0 != 0 {
			return nil
		}
		i += int(q[i]) + 1
	}
	if i+5 > len(q) {
		return nil
	}
	qend := i + 5
	qtype := binary.BigEndian.Uint16(q[i+1 : i+3])
	resp := make([]byte, 0, qend+16)
	resp = append(resp, q[0], q[1])        // id
	resp = append(resp, 0x81|q[2]&1, 0x80) // QR, opcode 0, RD copied, RA, NOERROR
	resp = append(resp, 0, 1)              // QDCOUNT
	if qtype == 1 {
		resp = append(resp, 0, 1) // ANCOUNT
	} else {
		resp = append(resp, 0, 0)
	}
	resp = append(resp, 0, 0, 0, 0) // NSCOUNT, ARCOUNT
	resp = append(resp, q[12:qend]...)
	if qtype == 1 {
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 127, 0, 0, 1)
	}
	return resp
}

// lookupInventoryBackend resolves the inventory service's name on every request (Go has no
// DNS cache), which is where the late DNS server hurts.
func (d *inventoryDNS) lookupInventoryBackend(ctx context.Context) (string, error) {
	addrs, err := d.resolver.LookupIPAddr(ctx, inventoryHost)
	if err != nil {
		return "", err
	}
	if len(addrs) == 0 {
		return "", errors.New("no address for " + inventoryHost)
	}
	return addrs[0].IP.String(), nil
}

func (s *server) handleInventory(w http.ResponseWriter, r *http.Request) {
	sku := r.URL.Query().Get("sku")
	res := s.handleInventoryLocal(sku)
	if s.on("dns") {
		ip, err := s.inventory.lookupInventoryBackend(r.Context())
		if err != nil {
			http.Error(w, "inventory backend: "+err.Error(), http.StatusBadGateway)
			return
		}
		res["backend"] = ip
	}
	writeJSON(w, res)
}

// ---- outbound ----------------------------------------------------------------------------

type paymentClient struct {
	srv    *http.Server
	url    string
	client *http.Client
}

// newPaymentClient starts a payment API on loopback that stalls before answering, and the
// client the handlers use to reach it: no Timeout, default transport (the bug).
func newPaymentClient(stall time.Duration) (*paymentClient, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &paymentClient{url: "http://" + ln.Addr().String() + "/v1/charge", client: &http.Client{}}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(stall):
		case <-r.Context().Done():
			return
		}
		w.Write([]byte(`{"status":"charged"}`))
	})}
	go p.srv.Serve(ln)
	return p, nil
}

func (p *paymentClient) close() { p.srv.Close() }

// chargeCard calls the payment API without any deadline.
func (p *paymentClient) chargeCard(amount int64) (string, error) {
	resp, err := p.client.Post(p.url, "application/json",
		strings.NewReader(fmt.Sprintf(`{"amount_cents":%d}`, amount)))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func (s *server) handlePayments(w http.ResponseWriter, r *http.Request) {
	n := s.seq.Add(1)
	if !s.on("outbound") {
		writeJSON(w, map[string]any{"payment": n, "status": "queued"})
		return
	}
	status, err := s.payments.chargeCard(int64(n % 10000))
	if err != nil {
		http.Error(w, "payment backend: "+err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]any{"payment": n, "backend": status})
}

// ---- tls -------------------------------------------------------------------------------

type identityClient struct {
	srv    *http.Server
	url    string
	client *http.Client
}

// newIdentityClient starts an identity provider over TLS with an RSA key of the given size
// and a client that opens a fresh connection (full handshake) for every request.
func newIdentityClient(bits int) (*identityClient, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "identity.gorca.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	c := &identityClient{url: "https://" + ln.Addr().String() + "/oauth/token"}
	c.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"access_token":"t"}`))
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
	}
	go c.srv.ServeTLS(ln, "", "")
	c.client = &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		DisableKeepAlives: true,
	}}
	return c, nil
}

func (c *identityClient) close() { c.srv.Close() }

// exchangeToken asks the identity provider for a token over a brand-new TLS connection.
func (c *identityClient) exchangeToken() (string, error) {
	resp, err := c.client.Get(c.url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func (s *server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.on("tls") {
		writeJSON(w, map[string]string{"session": "local"})
		return
	}
	tok, err := s.idp.exchangeToken()
	if err != nil {
		http.Error(w, "identity provider: "+err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]string{"session": tok})
}

// ---- fsync -----------------------------------------------------------------------------

type auditJournal struct {
	f      *os.File
	off    atomic.Int64
	record []byte
}

func openAuditJournal(dir string, recordBytes int) (*auditJournal, error) {
	f, err := os.OpenFile(filepath.Join(dir, "audit.journal"), os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	rec := make([]byte, recordBytes)
	for i := range rec {
		rec[i] = byte('a' + i%26)
	}
	return &auditJournal{f: f, record: rec}, nil
}

func (j *auditJournal) close() { j.f.Close() }

// appendRecord writes one record at its own offset and forces it to disk before returning.
func (j *auditJournal) appendRecord(seq uint64) error {
	off := j.off.Add(int64(len(j.record))) - int64(len(j.record))
	if off > 64<<20 { // keep the file bounded: wrap around
		j.off.Store(0)
		off = 0
	}
	if _, err := j.f.WriteAt(j.record, off); err != nil {
		return err
	}
	return j.f.Sync()
}

// ---- cpu -------------------------------------------------------------------------------

// startSearchIndexers lowers GOMAXPROCS and starts CPU-bound goroutines that never block, so
// request goroutines wait in the run queue.
func startSearchIndexers(s *server, procs, workers int) {
	runtime.GOMAXPROCS(procs)
	for i := 0; i < workers; i++ {
		go rebuildSearchIndex(s.stop, i)
	}
}

func rebuildSearchIndex(stop <-chan struct{}, shard int) {
	sum := sha256.Sum256([]byte{byte(shard)})
	for n := 0; ; n++ {
		sum = sha256.Sum256(sum[:])
		if n%4096 == 0 {
			select {
			case <-stop:
				return
			default:
			}
		}
	}
}
