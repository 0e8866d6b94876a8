// The ledger proper: accounts and balances, a hash-chained journal kept in memory (the recent
// part) and appended to a journal file, postings, and the idempotency cache of transfer
// responses.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// entry is one posting: money moved from one account to another. Entries are chained: each
// carries the hash of its predecessor, so tampering with history is detectable.
type entry struct {
	id       uint64
	from, to int32
	amount   int64 // minor units (cents)
	at       time.Time
	memo     string
	prev     *entry
	hash     [32]byte
}

func (e *entry) computeHash() [32]byte {
	var b [8*4 + 32]byte
	binary.LittleEndian.PutUint64(b[0:], e.id)
	binary.LittleEndian.PutUint64(b[8:], uint64(e.from)<<32|uint64(uint32(e.to)))
	binary.LittleEndian.PutUint64(b[16:], uint64(e.amount))
	binary.LittleEndian.PutUint64(b[24:], uint64(e.at.UnixNano()))
	if e.prev != nil {
		copy(b[32:], e.prev.hash[:])
	}
	h := sha256.New()
	h.Write(b[:])
	h.Write([]byte(e.memo))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

type account struct {
	balance int64
	version uint64
	recent  []*entry // the account's newest entries, oldest first, at most keepRecent
}

const keepRecent = 512

var errInsufficient = errors.New("insufficient funds")

// ledger holds every balance and the recent journal behind one mutex: a posting must see and
// change both atomically.
type ledger struct {
	mu       sync.Mutex
	accounts []account
	journal  []*entry // ring of the newest entries
	next     int      // ring position of the next entry
	last     *entry
	seq      uint64
	// verifyDepth > 0: every posting re-verifies that many entries of the chain first
	// (added after an audit finding, "cheap enough").
	verifyDepth int
}

func newLedger(accounts, ring int) *ledger {
	l := &ledger{accounts: make([]account, accounts), journal: make([]*entry, ring)}
	for i := range l.accounts {
		l.accounts[i].balance = 1_000_000_00
	}
	return l
}

func (l *ledger) account(id int) int {
	if id < 0 {
		id = -id
	}
	return id % len(l.accounts)
}

// post moves amount from one account to another and returns the journal entry.
func (l *ledger) post(from, to int, amount int64, memo string, at time.Time) (*entry, error) {
	from, to = l.account(from), l.account(to)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.verifyDepth > 0 {
		if err := l.verifyLocked(l.verifyDepth); err != nil {
			return nil, err
		}
	}
	if l.accounts[from].balance < amount {
		return nil, errInsufficient
	}
	l.seq++
	e := &entry{id: l.seq, from: int32(from), to: int32(to), amount: amount, at: at, memo: memo, prev: l.last}
	e.hash = e.computeHash()
	l.last = e
	l.journal[l.next] = e
	l.next = (l.next + 1) % len(l.journal)
	// The in-memory chain stays bounded: the oldest entry in the ring loses its link to the
	// older history, which lives in the journal file.
	if oldest := l.journal[l.next]; oldest != nil {
		oldest.prev = nil
	}
	for _, id := range [2]int{from, to} {
		a := &l.accounts[id]
		if id == from {
			a.balance -= amount
		} else {
			a.balance += amount
		}
		a.version++
		if len(a.recent) == keepRecent {
			copy(a.recent, a.recent[1:])
			a.recent = a.recent[:keepRecent-1]
		}
		a.recent = append(a.recent, e)
	}
	return e, nil
}

// verifyLocked walks back depth entries from the newest and recomputes each hash.
func (l *ledger) verifyLocked(depth int) error {
	e := l.last
	for i := 0; i < depth && e != nil && e.prev != nil; i++ {
		if e.computeHash() != e.hash {
			return fmt.Errorf("journal entry %d: hash mismatch", e.id)
		}
		e = e.prev
	}
	return nil
}

func (l *ledger) balance(id int) (int64, uint64) {
	id = l.account(id)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.accounts[id].balance, l.accounts[id].version
}

func (l *ledger) recent(id, limit int) []*entry {
	id = l.account(id)
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.accounts[id].recent
	if limit > 0 && len(r) > limit {
		r = r[len(r)-limit:]
	}
	return append([]*entry(nil), r...)
}

func (l *ledger) snapshot(dst []int64) []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	dst = dst[:0]
	for i := range l.accounts {
		dst = append(dst, l.accounts[i].balance)
	}
	return dst
}

// journalFile appends one line per posting to the journal file. With shared set, each
// append opens the file and takes an exclusive flock(2) first, because the export sidecar
// reads the file under a shared lock.
type journalFile struct {
	path   string
	shared bool
	f      *os.File
}

func openJournal(path string, shared bool) (*journalFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &journalFile{path: path, shared: shared, f: f}, nil
}

func (j *journalFile) append(e *entry) error {
	line := strconv.AppendUint(make([]byte, 0, 160), e.id, 10)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(e.from), 10)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(e.to), 10)
	line = append(line, ',')
	line = strconv.AppendInt(line, e.amount, 10)
	line = append(line, ',')
	line = e.at.AppendFormat(line, time.RFC3339Nano)
	line = append(line, ',')
	line = fmt.Appendf(line, "%x\n", e.hash[:8])
	if !j.shared {
		_, err := j.f.Write(line)
		return err
	}
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fd := int(f.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(fd, syscall.LOCK_UN)
	_, err = f.Write(line)
	return err
}

// idemCache keeps the response of every transfer by its idempotency key for a day, so a
// retried request is answered identically.
type idemCache struct {
	mu sync.Mutex
	m  map[string]*idemResp
}

type idemResp struct {
	status int
	header http.Header
	body   []byte
	at     time.Time
}

func newIdemCache(prefill int) *idemCache {
	c := &idemCache{m: make(map[string]*idemResp, prefill)}
	now := time.Now()
	for i := 0; i < prefill; i++ {
		key := fmt.Sprintf("k-%08x-%d", i*2654435761, i)
		c.m[key] = &idemResp{
			status: 201,
			header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {key[2:]}},
			body:   fmt.Appendf(nil, `{"entry":%d,"status":"posted","key":%q}`, i, key),
			at:     now.Add(-time.Duration(i) * time.Second / 4),
		}
	}
	return c
}

func (c *idemCache) get(key string) *idemResp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *idemCache) put(key string, r *idemResp) {
	c.mu.Lock()
	c.m[key] = r
	c.mu.Unlock()
}
