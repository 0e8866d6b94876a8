//go:build !go1.23

package main

// buildCoroutine does nothing before Go 1.23, which has no iter.Pull.
func buildCoroutine() {}
