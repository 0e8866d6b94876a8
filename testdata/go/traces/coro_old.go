//go:build !go1.23

package main

// coroutines is a no-op before Go 1.23 (no iter.Pull, no coroutine switch events).
func coroutines() {}
