// Package synctest parks goroutines inside a testing/synctest bubble and writes
// runtime.Stack(all) from inside the bubble, so the dump shows the synctest header suffixes:
// ", synctest group N" and "(synctest)" wait reasons in Go 1.24, "(durable)" and
// ", synctest bubble N" in Go 1.25 and later. Run by ../gen.sh through `go test`.
package synctest

import (
	"os"
	"runtime"
	"sync"
	"time"
)

// zoo starts goroutines that block durably inside the bubble, dumps all stacks to the file
// named by $GORCA_DUMP_OUT, then releases everyone so the bubble can end.
func zoo(wait func()) error {
	ch := make(chan int)
	sel := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	done := make(chan struct{})
	var all sync.WaitGroup
	all.Add(4)
	go func() { defer all.Done(); <-ch }() // FACT:synctest-recv
	go func() {                            // FACT:synctest-select-go
		defer all.Done()
		select { // FACT:synctest-select-stmt
		case <-sel: // FACT:synctest-select
		case <-done:
		}
	}()
	go func() { defer all.Done(); wg.Wait() }()             // FACT:synctest-wg
	go func() { defer all.Done(); time.Sleep(time.Hour) }() // FACT:synctest-sleep
	wait()
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	err := os.WriteFile(os.Getenv("GORCA_DUMP_OUT"), buf[:n], 0o644)
	close(ch)
	close(done)
	wg.Done()
	all.Wait()
	return err
}
