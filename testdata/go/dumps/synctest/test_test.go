//go:build go1.25

package synctest

import (
	"testing"
	"testing/synctest"
)

func TestBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if err := zoo(synctest.Wait); err != nil {
			t.Fatal(err)
		}
	})
}
