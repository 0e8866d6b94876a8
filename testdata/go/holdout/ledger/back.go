// Receipts (PNG images from pooled renderers), merchant fee schedules (rule trees), the
// settlement batch and the reconciliation job.
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// --- receipts ---

// renderer owns an image and an encoder with its buffers; renderers are pooled in a channel.
type renderer struct {
	img *image.Gray
	enc png.Encoder
	buf bytes.Buffer
}

type pngBuffers struct{ b *png.EncoderBuffer }

func (p *pngBuffers) Get() *png.EncoderBuffer  { return p.b }
func (p *pngBuffers) Put(b *png.EncoderBuffer) { p.b = b }

func newRenderer() *renderer {
	return &renderer{img: image.NewGray(image.Rect(0, 0, 384, 512)), enc: png.Encoder{BufferPool: &pngBuffers{}}}
}

// render draws the receipt: a header band, one bar per digit of each field (a stand-in for
// the text), and a 2-D code made from the entry's hash.
func (rd *renderer) render(id uint64, amount int64, at time.Time) []byte {
	b := rd.img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			rd.img.SetGray(x, y, color.Gray{Y: 250 - uint8((x^y)&3)})
		}
	}
	fields := []string{strconv.FormatUint(id, 10), money(amount), at.UTC().Format(time.RFC3339)}
	y := 40
	for _, f := range fields {
		for i, c := range f {
			v := uint8(c) * 3
			for yy := y; yy < y+18; yy++ {
				for xx := 20 + i*11; xx < 28+i*11 && xx < 380; xx++ {
					rd.img.SetGray(xx, yy, color.Gray{Y: v})
				}
			}
		}
		y += 30
	}
	h := id*0x9E3779B97F4A7C15 ^ uint64(amount)
	for cy := 0; cy < 48; cy++ {
		for cx := 0; cx < 48; cx++ {
			h ^= h << 13
			h ^= h >> 7
			h ^= h << 17
			if h&1 == 1 {
				for yy := 0; yy < 5; yy++ {
					for xx := 0; xx < 5; xx++ {
						rd.img.SetGray(70+cx*5+xx, 250+cy*5+yy, color.Gray{Y: 0})
					}
				}
			}
		}
	}
	rd.buf.Reset()
	rd.enc.Encode(&rd.buf, rd.img)
	return append([]byte(nil), rd.buf.Bytes()...)
}

func (s *server) handleReceipt(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad receipt id", http.StatusBadRequest)
		return
	}
	entries := s.ledger.recent(id, 1)
	if len(entries) == 0 {
		http.Error(w, "no such receipt", http.StatusNotFound)
		return
	}
	e := entries[0]
	rd := <-s.pool
	img := rd.render(e.id, e.amount, e.at)
	s.pool <- rd
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(img)))
	w.Write(img)
}

// --- fee schedules ---

// fxRate is a conversion rate into the settlement currency, in basis points.
type fxRate struct{ bps int64 }

// feeRule is one node of a merchant's fee schedule: below the threshold the next rule
// applies with the amount adjusted, at the leaf the fee is a percentage in the merchant's
// currency.
type feeRule struct {
	name      string
	threshold int64
	adjust    int64
	next      *feeRule
	currency  string // leaf only
	pct       int64  // leaf only, basis points
}

func buildFees(broken bool, depth int) (map[string]*fxRate, []*feeRule) {
	fx := map[string]*fxRate{"EUR": {10000}, "USD": {9200}, "GBP": {11600}, "CHF": {10400}, "SEK": {870}}
	currencies := []string{"EUR", "USD", "GBP", "CHF", "SEK"}
	var trees []*feeRule
	for m := 0; m < 100; m++ {
		cur := currencies[m%len(currencies)]
		if broken && m%3 == 0 {
			// Migrated from the old system with a currency the rate table no longer carries.
			cur = "HRK"
		}
		leaf := &feeRule{name: fmt.Sprintf("m%d/base", m), currency: cur, pct: int64(120 + m%80)}
		n := leaf
		for d := depth; d > 0; d-- {
			n = &feeRule{name: fmt.Sprintf("m%d/tier%d", m, d), threshold: int64(d * 500), adjust: int64(d % 7), next: n}
		}
		trees = append(trees, n)
	}
	return fx, trees
}

// ruleError annotates a failure with the rule path that led to it.
type ruleError struct {
	rule  string
	cause any
}

func (e *ruleError) Error() string { return fmt.Sprintf("%s: %v", e.rule, e.cause) }

// evalFee evaluates a fee rule tree. A failure deep in the tree is annotated with every rule
// on the way up: each level recovers the panic and panics again with its own name added.
func (s *server) evalFee(n *feeRule, amount int64) int64 {
	defer func() {
		if v := recover(); v != nil {
			panic(&ruleError{rule: n.name, cause: v})
		}
	}()
	if n.next == nil {
		rate := s.fx[n.currency]
		return amount * rate.bps / 10000 * n.pct / 10000
	}
	if amount < n.threshold {
		amount += n.adjust
	}
	return s.evalFee(n.next, amount)
}

func (s *server) handleFeeQuote(w http.ResponseWriter, r *http.Request) {
	m := intParam(r, "merchant", 0)
	if m < 0 {
		m = -m
	}
	amount := int64(intParam(r, "amount", 10000))
	fee := s.evalFee(s.fees[m%len(s.fees)], amount)
	writeJSON(w, http.StatusOK, map[string]any{"merchant": m, "amount": money(amount), "fee": money(fee)})
}

// --- background jobs ---

// settlementBatches computes every merchant's settlement from a balance snapshot, the way
// the nightly batch does, here every -batch-every: CPU work outside any lock.
func (s *server) settlementBatches() {
	var snap []int64
	t := time.NewTicker(s.cfg.batchEvery)
	for range t.C {
		start := time.Now()
		snap = s.ledger.snapshot(snap)
		sorted := append([]int64(nil), snap...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		var total int64
		for i, b := range snap {
			if i%5 == 0 {
				total += s.evalFee(s.fees[i%len(s.fees)], b%1_000_00)
			}
		}
		if d := time.Since(start); d > time.Second {
			log.Printf("settlement batch took %v (fees %d, median %d)", d, total, sorted[len(sorted)/2])
		}
	}
}

// reconcileLoop checks the balances against a keyed checksum every -reconcile-every, a
// tight loop the auditors specified (rounds of mixing over every balance).
func (s *server) reconcileLoop() {
	var snap []int64
	t := time.NewTicker(s.cfg.reconcileGap)
	var last uint64
	for range t.C {
		snap = s.ledger.snapshot(snap)
		sum := checksum(snap, s.cfg.reconcileN)
		if sum == last {
			log.Printf("reconcile: balances unchanged")
		}
		last = sum
	}
}

func checksum(b []int64, rounds int) uint64 {
	h := uint64(14695981039346656037)
	for r := 0; r < rounds; r++ {
		k := uint64(r)*0x9E3779B97F4A7C15 | 1
		for _, v := range b {
			h ^= uint64(v) ^ k
			h *= 1099511628211
			h ^= h >> 29
		}
	}
	return h
}
