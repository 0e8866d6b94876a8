// The hub: new posts go in through an unbuffered channel; the hub hands each to the live
// subscribers of its author (never blocking) and then to every sink (blocking: sinks must not
// miss posts).
package main

import (
	"math"
	"sync"
	"sync/atomic"
)

type subscription struct {
	user int
	ch   chan *post
	gone chan struct{}
}

type hub struct {
	in    chan *post
	mu    sync.Mutex
	subs  map[int]map[*subscription]struct{} // author -> subscribers
	sinks []chan *post
	live  atomic.Int64
}

func newHub() *hub {
	return &hub{in: make(chan *post), subs: map[int]map[*subscription]struct{}{}}
}

func (h *hub) run() {
	for p := range h.in {
		h.mu.Lock()
		for s := range h.subs[p.author] {
			select {
			case s.ch <- p:
			default:
			}
		}
		h.mu.Unlock()
		for _, sink := range h.sinks {
			sink <- p
		}
	}
}

func (h *hub) publish(p *post) { h.in <- p }

func (h *hub) join(user int, authors []int) *subscription {
	s := &subscription{user: user, ch: make(chan *post, 1), gone: make(chan struct{})}
	h.mu.Lock()
	for _, a := range authors {
		m := h.subs[a]
		if m == nil {
			m = map[*subscription]struct{}{}
			h.subs[a] = m
		}
		m[s] = struct{}{}
	}
	h.mu.Unlock()
	h.live.Add(1)
	return s
}

func (h *hub) leave(s *subscription, authors []int) {
	h.mu.Lock()
	for _, a := range authors {
		delete(h.subs[a], s)
	}
	h.mu.Unlock()
	close(s.gone)
	h.live.Add(-1)
}

// dedup is a sink: it computes a min-hash signature of every post's shingles and remembers
// the signatures, to flag reposted spam.
type dedup struct {
	funcs int
	mu    sync.Mutex
	seen  map[uint64]int64
	dups  atomic.Int64
}

func (d *dedup) consume(ch <-chan *post) {
	for p := range ch {
		sig := d.signature(p.Text)
		d.mu.Lock()
		if _, ok := d.seen[sig]; ok {
			d.dups.Add(1)
		}
		d.seen[sig] = p.ID
		d.mu.Unlock()
	}
}

// signature is the min-hash of the post's 5-character shingles under d.funcs hash functions.
func (d *dedup) signature(text string) uint64 {
	mins := make([]uint64, d.funcs)
	for i := range mins {
		mins[i] = math.MaxUint64
	}
	for i := 0; i+5 <= len(text); i++ {
		base := fnv1a(text[i : i+5])
		for k := range mins {
			v := (base ^ uint64(k)*0x9E3779B97F4A7C15) * 0xBF58476D1CE4E5B9
			v ^= v >> 31
			if v < mins[k] {
				mins[k] = v
			}
		}
	}
	var sig uint64
	for _, m := range mins {
		sig = sig*31 + m
	}
	return sig
}

func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
