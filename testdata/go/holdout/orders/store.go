// Orders: sharded in-memory maps, one JSON file per order on disk (written atomically:
// temporary file then rename, plus fsyncs in durable mode), and a read replica that applies
// writes after a lag.
package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

type address struct {
	Street, City, Zip string
}

type line struct {
	SKU   string `json:"sku"`
	Qty   int64  `json:"qty"`
	Cents int64  `json:"cents"`
}

type order struct {
	ID       string    `json:"id"`
	Seq      int       `json:"seq"`
	Customer int       `json:"customer"`
	Lines    []*line   `json:"lines"`
	Status   string    `json:"status"`
	Version  int64     `json:"version"`
	Created  time.Time `json:"created"`
	Total    int64     `json:"total_cents"`
	Tags     []string  `json:"tags,omitempty"`
	Ship     *address  `json:"ship_to"`
}

const nShards = 16

type shard struct {
	mu         sync.Mutex
	byID       map[string]*order
	byCustomer map[int][]*order
}

type store struct {
	shards    [nShards]shard
	seqMu     sync.Mutex
	bySeq     []*order
	dir       string
	durable   bool
	invoiceKB int
}

func newStore(dir string, durable bool, invoiceKB int) *store {
	s := &store{dir: dir, durable: durable, invoiceKB: invoiceKB}
	for i := range s.shards {
		s.shards[i].byID = map[string]*order{}
		s.shards[i].byCustomer = map[int][]*order{}
	}
	return s
}

func (s *store) shardOf(id string) *shard {
	h := fnv.New32a()
	h.Write([]byte(id))
	return &s.shards[h.Sum32()%nShards]
}

func (s *store) custShard(c int) *shard { return &s.shards[c%nShards] }

// add registers a new order in memory and returns its sequence number.
func (s *store) add(o *order) {
	s.seqMu.Lock()
	o.Seq = len(s.bySeq)
	o.ID = fmt.Sprintf("o-%08d", o.Seq)
	s.bySeq = append(s.bySeq, o)
	s.seqMu.Unlock()
	sh := s.shardOf(o.ID)
	sh.mu.Lock()
	sh.byID[o.ID] = o
	sh.mu.Unlock()
	cs := s.custShard(o.Customer)
	cs.mu.Lock()
	cs.byCustomer[o.Customer] = append(cs.byCustomer[o.Customer], o)
	cs.mu.Unlock()
}

func (s *store) bySequence(n int) (order, bool) {
	s.seqMu.Lock()
	if len(s.bySeq) == 0 {
		s.seqMu.Unlock()
		return order{}, false
	}
	o := s.bySeq[n%len(s.bySeq)]
	s.seqMu.Unlock()
	sh := s.shardOf(o.ID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return *o, true
}

// window calls f for up to n orders from sequence number start on (wrapping). bySeq is
// append-only and its elements are never rewritten, so a copy of the slice header taken under
// the lock can be read without it; lines, customer and totals never change after add.
func (s *store) window(start, n int, f func(*order)) {
	s.seqMu.Lock()
	seq := s.bySeq
	s.seqMu.Unlock()
	for i := 0; i < n && i < len(seq); i++ {
		f(seq[(start+i)%len(seq)])
	}
}

func (s *store) get(id string) (*order, *shard) {
	sh := s.shardOf(id)
	sh.mu.Lock()
	o := sh.byID[id]
	sh.mu.Unlock()
	return o, sh
}

func (s *store) ofCustomer(c, limit int) []order {
	cs := s.custShard(c)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	list := cs.byCustomer[c]
	if len(list) > limit {
		list = list[len(list)-limit:]
	}
	out := make([]order, len(list))
	for i, o := range list {
		out[i] = *o
	}
	return out
}

// persist writes the order to DIR/xx/ID.json through a temporary file and a rename, so a
// crash never leaves half an order. In durable mode the data and the directory entry are
// fsynced before the request is answered.
func (s *store) persist(o *order) error {
	b, err := json.Marshal(struct {
		*order
		Invoice string `json:"invoice_html"`
	}{o, renderInvoice(o, s.invoiceKB)})
	if err != nil {
		return err
	}
	dir := filepath.Join(s.dir, o.ID[len(o.ID)-2:])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, o.ID+".json"), b, s.durable)
}

// renderInvoice renders the order's printable invoice (kept with the order for audits),
// padded with the terms and conditions to about kb KiB.
func renderInvoice(o *order, kb int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<html><body><h1>Invoice %s</h1><table>", o.ID)
	for _, l := range o.Lines {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%d.%02d</td></tr>", l.SKU, l.Qty, l.Cents/100, l.Cents%100)
	}
	b.WriteString("</table><div class=terms>")
	for b.Len() < kb<<10 {
		b.WriteString("<p>Goods remain our property until paid in full. Returns within 30 days.</p>")
	}
	b.WriteString("</div></body></html>")
	return b.String()
}

func writeFileAtomic(path string, data []byte, durable bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if durable {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if durable {
		d, err := os.Open(filepath.Dir(path))
		if err != nil {
			return err
		}
		defer d.Close()
		return d.Sync()
	}
	return nil
}

// replica is the read model other services query; it applies each write after lag.
type replica struct {
	mu   sync.Mutex
	lag  time.Duration
	seen map[string]replicaRow
}

type replicaRow struct {
	version, prev int64
	visibleAt     time.Time
}

func newReplica(lag time.Duration) *replica {
	return &replica{lag: lag, seen: map[string]replicaRow{}}
}

func (r *replica) apply(id string, version int64) {
	r.mu.Lock()
	row := r.seen[id]
	r.seen[id] = replicaRow{version: version, prev: row.version, visibleAt: time.Now().Add(r.lag)}
	r.mu.Unlock()
}

func (r *replica) version(id string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	row := r.seen[id]
	if time.Now().Before(row.visibleAt) {
		return row.prev
	}
	return row.version
}
