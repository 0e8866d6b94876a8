// The product catalog: prices and stock behind a sync.RWMutex, read by every request, written
// by reservations and by the periodic price sync.
package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"sync"
)

type product struct {
	SKU        string  `json:"sku"`
	Name       string  `json:"name"`
	Cents      int64   `json:"cents"`
	Stock      int64   `json:"stock"`
	Popularity float64 `json:"popularity"`
	basePrice  float64
	quotes     [24]float64 // recent supplier quotes, newest last
}

type catalog struct {
	mu     sync.RWMutex
	bySKU  map[string]*product
	ranked []*product // best sellers first
}

var errOutOfStock = errors.New("out of stock")

func skuName(i int) string { return fmt.Sprintf("SKU-%05d", i) }

func newCatalog(n int, rnd *rand.Rand) *catalog {
	c := &catalog{bySKU: make(map[string]*product, n)}
	for i := 0; i < n; i++ {
		p := &product{
			SKU:        skuName(i),
			Name:       fmt.Sprintf("Product %d", i),
			Stock:      1 << 40,
			Popularity: rnd.Float64(),
			basePrice:  100 + rnd.Float64()*9900,
		}
		for j := range p.quotes {
			p.quotes[j] = p.basePrice * (0.9 + 0.2*rnd.Float64())
		}
		p.Cents = int64(p.basePrice)
		c.bySKU[p.SKU] = p
		c.ranked = append(c.ranked, p)
	}
	return c
}

func (c *catalog) lookup(sku string) (product, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.bySKU[sku]
	if !ok {
		return product{}, false
	}
	return *p, true
}

func (c *catalog) reserve(sku string, qty int64) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.bySKU[sku]
	if !ok || p.Stock < qty {
		return 0, errOutOfStock
	}
	p.Stock -= qty
	return p.Cents, nil
}

func (c *catalog) topSellers(n int) []product {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]product, 0, n)
	for _, p := range c.ranked[:min(n, len(c.ranked))] {
		out = append(out, *p)
	}
	return out
}

// fairPrice is the pricing model: an exponentially weighted average of the supplier quotes,
// a volatility surcharge and a popularity markup.
func fairPrice(p *product, pop float64, tick int) int64 {
	var ewma, w, sum, sq float64
	for i, q := range p.quotes {
		k := math.Exp(-float64(len(p.quotes)-1-i) / 6)
		ewma += k * q
		w += k
		sum += q
		sq += q * q
	}
	n := float64(len(p.quotes))
	mean := sum / n
	vol := math.Sqrt(math.Max(sq/n-mean*mean, 0)) / mean
	price := ewma / w * (1 + 0.5*vol) * (1 + 0.1*pop)
	price *= 1 + 0.01*math.Sin(float64(tick+len(p.SKU))/7)
	return int64(math.Round(price))
}

// syncPricesLocked reprices the whole catalog and re-ranks it holding the write lock for the
// whole pass (the way the code was first written).
func (c *catalog) syncPricesLocked(tick int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.bySKU {
		p.Cents = fairPrice(p, p.Popularity, tick)
		p.Popularity = p.Popularity*0.99 + 0.01*float64(p.Cents%97)/97
	}
	sort.Slice(c.ranked, func(i, j int) bool {
		return c.ranked[i].Popularity*float64(c.ranked[i].Cents) > c.ranked[j].Popularity*float64(c.ranked[j].Cents)
	})
}

// syncPrices reads the popularity figures under the read lock, computes the new prices and
// ranking without any lock (quotes and SKUs never change), and only swaps the results in under
// the write lock.
func (c *catalog) syncPrices(tick int) {
	type upd struct {
		p     *product
		cents int64
		pop   float64
	}
	c.mu.RLock()
	ups := make([]upd, 0, len(c.ranked))
	for _, p := range c.ranked {
		ups = append(ups, upd{p: p, pop: p.Popularity})
	}
	c.mu.RUnlock()
	for i := range ups {
		ups[i].cents = fairPrice(ups[i].p, ups[i].pop, tick)
		ups[i].pop = ups[i].pop*0.99 + 0.01*float64(ups[i].cents%97)/97
	}
	sort.Slice(ups, func(i, j int) bool {
		return ups[i].pop*float64(ups[i].cents) > ups[j].pop*float64(ups[j].cents)
	})
	ranked := make([]*product, len(ups))
	c.mu.Lock()
	for i, u := range ups {
		u.p.Cents, u.p.Popularity = u.cents, u.pop
		ranked[i] = u.p
	}
	c.ranked = ranked
	c.mu.Unlock()
}
