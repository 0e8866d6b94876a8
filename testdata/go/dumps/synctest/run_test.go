//go:build goexperiment.synctest && !go1.25

package synctest

import (
	"testing"
	"testing/synctest"
)

func TestBubble(t *testing.T) {
	var err error
	synctest.Run(func() { err = zoo(synctest.Wait) })
	if err != nil {
		t.Fatal(err)
	}
}
