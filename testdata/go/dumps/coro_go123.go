//go:build go1.23

package main

import "iter"

// buildCoroutine leaves one goroutine parked in the "coroutine" wait state (Go 1.23+):
// iter.Pull runs the sequence on its own goroutine, which parks after each yield.
func buildCoroutine() {
	seq := func(yield func(int) bool) {
		for i := 0; ; i++ {
			if !yield(i) { // FACT:coroutine
				return
			}
		}
	}
	next, stop := iter.Pull(seq)
	next()
	hold(next, stop)
}
