//go:build go1.23

package main

import "iter"

// coroutines pulls from an iterator with iter.Pull, which switches goroutines directly
// (GoCreateBlocked, GoSwitch, GoSwitchDestroy in traces of Go 1.23 and newer).
func coroutines() {
	seq := func(yield func(int) bool) {
		for i := 0; i < 5; i++ {
			if !yield(i) {
				return
			}
		}
	}
	next, stop := iter.Pull(iter.Seq[int](seq))
	for {
		if _, ok := next(); !ok {
			break
		}
	}
	stop()
	next2, stop2 := iter.Pull(iter.Seq[int](seq))
	next2()
	stop2()
}
