// Pricing rules: a chain of discount rules evaluated recursively, each level keeping an audit
// trail entry that a deferred call pops. Retail customers stop early; wholesale customers walk
// the whole chain.
package main

import (
	"bufio"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"
)

type cond struct {
	Segment string
	MinQty  int64
}

type rule struct {
	Name string
	Pct  int64
	When *cond
	Stop bool
	Next *rule
}

// buildRules makes a chain of depth rules; broken leaves the last rule without a condition,
// the way a half-migrated rule row comes back from the rules database.
func buildRules(depth int, broken bool) *rule {
	var head *rule
	for i := depth - 1; i >= 0; i-- {
		r := &rule{Name: fmt.Sprintf("r%04d", i), Next: head}
		switch {
		case i == 8:
			r.When, r.Pct, r.Stop = &cond{Segment: "retail"}, 5, true
		case i == depth-1 && broken:
			r.When = nil
		default:
			r.When = &cond{Segment: "wholesale", MinQty: int64(i % 7)}
			if i%500 == 0 {
				r.Pct = 1
			}
		}
		head = r
	}
	return head
}

type quote struct {
	segment string
	qty     int64
	cents   int64
}

type evaluator struct {
	trail []string
}

func (e *evaluator) eval(r *rule, q *quote) {
	if r == nil {
		return
	}
	e.trail = append(e.trail, r.Name)
	defer func() { e.trail = e.trail[:len(e.trail)-1] }()
	if r.When.Segment == q.segment && q.qty >= r.When.MinQty {
		q.cents = q.cents * (100 - r.Pct) / 100
		if r.Stop {
			return
		}
	}
	e.eval(r.Next, q)
}

// crashLog keeps recovered panics with their complete stacks, like an error tracker's local
// spool: unlike debug.Stack, which elides the middle of deep stacks, every frame is kept.
type crashLog struct {
	mu    sync.Mutex
	w     *bufio.Writer
	count map[string]int
}

var pcPool = sync.Pool{New: func() any { return make([]uintptr, 16384) }}

// record is called from the recovering deferred function, so the stack it captures still
// holds the panicking frames.
func (c *crashLog) record(route string, v any) {
	pcs := pcPool.Get().([]uintptr)
	defer pcPool.Put(pcs)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count[route]++
	fmt.Fprintf(c.w, "%s panic in %s: %v\n", time.Now().Format(time.RFC3339Nano), route, v)
	for {
		fr, more := frames.Next()
		c.w.WriteString(fr.Function)
		c.w.WriteString("\n\t")
		c.w.WriteString(fr.File)
		c.w.WriteByte(':')
		c.w.WriteString(strconv.Itoa(fr.Line))
		c.w.WriteByte('\n')
		if !more {
			break
		}
	}
	c.w.Flush()
}
