// longpoll is a small chat service whose requests legitimately wait, for the long-poll fixture
// of gorca's diagnosis tests: GET /rooms/{n}/wait blocks until someone posts to the room or
// its 1 s poll timeout fires (then answers 204); POST /rooms/{n}/messages appends a message and
// wakes the room's waiters by closing the room's "changed" channel (broadcast by close). A
// delivery goroutine per room relays posts from an inbox channel, as a chat backend that
// batches fan-out would. Nothing here is slow: the waits are the API's design.
//
// Listens on 127.0.0.1 (random port), mounts net/http/pprof, prints one JSON ready line like
// the scenario service, exits after -max-lifetime.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

type room struct {
	inbox   chan string
	mu      sync.Mutex
	msgs    []string
	changed chan struct{} // closed and replaced on every delivered message
}

type chat struct {
	rooms []*room
	poll  time.Duration
}

func newChat(n int, poll time.Duration) *chat {
	c := &chat{poll: poll}
	for i := 0; i < n; i++ {
		r := &room{inbox: make(chan string, 16), changed: make(chan struct{})}
		c.rooms = append(c.rooms, r)
		go r.deliver()
	}
	return c
}

// deliver moves posted messages into the room's history and wakes its waiters.
func (r *room) deliver() {
	for m := range r.inbox {
		r.mu.Lock()
		r.msgs = append(r.msgs, m)
		if len(r.msgs) > 256 {
			r.msgs = append([]string(nil), r.msgs[128:]...)
		}
		close(r.changed)
		r.changed = make(chan struct{})
		r.mu.Unlock()
	}
}

func (c *chat) room(path string) *room {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	n := 0
	if len(parts) >= 2 {
		n, _ = strconv.Atoi(parts[1])
	}
	if n < 0 {
		n = -n
	}
	return c.rooms[n%len(c.rooms)]
}

// wait is the long poll: the next message of the room, or 204 after the poll timeout.
func (c *chat) wait(w http.ResponseWriter, r *http.Request) {
	rm := c.room(r.URL.Path)
	rm.mu.Lock()
	seen, ch := len(rm.msgs), rm.changed
	rm.mu.Unlock()
	t := time.NewTimer(c.poll)
	defer t.Stop()
	select {
	case <-ch:
		rm.mu.Lock()
		var last string
		if len(rm.msgs) > 0 && len(rm.msgs) != seen {
			last = rm.msgs[len(rm.msgs)-1]
		}
		rm.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"message": last})
	case <-t.C:
		w.WriteHeader(http.StatusNoContent)
	case <-r.Context().Done():
	}
}

func (c *chat) post(w http.ResponseWriter, r *http.Request) {
	rm := c.room(r.URL.Path)
	rm.inbox <- "hello at " + time.Now().Format(time.RFC3339Nano)
	w.WriteHeader(http.StatusCreated)
}

func (c *chat) info(w http.ResponseWriter, r *http.Request) {
	rm := c.room(r.URL.Path)
	rm.mu.Lock()
	n := len(rm.msgs)
	rm.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]int{"messages": n})
}

func main() {
	rooms := flag.Int("rooms", 8, "chat rooms")
	poll := flag.Duration("poll", time.Second, "long-poll timeout")
	life := flag.Duration("max-lifetime", 2*time.Minute, "exit after this long")
	flag.Parse()
	c := newChat(*rooms, *poll)
	http.HandleFunc("/rooms/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/wait"):
			c.wait(w, r)
		case strings.HasSuffix(r.URL.Path, "/messages") && r.Method == http.MethodPost:
			c.post(w, r)
		default:
			c.info(w, r)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	paths := []string{}
	for i := 0; i < *rooms; i++ {
		paths = append(paths, "/rooms/"+strconv.Itoa(i)+"/wait", "/rooms/"+strconv.Itoa(i)+"/wait",
			"/rooms/"+strconv.Itoa(i)+"/info")
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{"event": "ready", "url": url,
		"paths": paths, "go": runtime.Version(), "pid": os.Getpid()})
	go func() { time.Sleep(*life); os.Exit(0) }()
	log.Fatal(http.Serve(ln, nil))
}
