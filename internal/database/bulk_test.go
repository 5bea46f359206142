package database_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
)

// LoadInBatches hands every row over once, in order and in batches of at
// most size, reports progress per batch, stops at the first failed load
// (its error names the batch) and at a cancelled context, and returns
// only after the generator has stopped.
func TestLoadInBatches(t *testing.T) {
	gen := func(generated *[]int) func(done, size int) []int {
		return func(done, size int) []int {
			b := make([]int, size)
			for i := range b {
				b[i] = done + i
			}
			*generated = append(*generated, done)
			return b
		}
	}
	var generated, loaded, progress []int
	err := database.LoadInBatches(context.Background(), 25, 10, gen(&generated),
		func(b []int) error { loaded = append(loaded, b...); return nil },
		func(done int) { progress = append(progress, done) })
	if err != nil || len(loaded) != 25 || loaded[24] != 24 || !reflect.DeepEqual(progress, []int{10, 20, 25}) ||
		!reflect.DeepEqual(generated, []int{0, 10, 20}) {
		t.Fatalf("err %v, loaded %v, progress %v, generated %v", err, loaded, progress, generated)
	}

	boom := errors.New("boom")
	generated, calls := nil, 0
	err = database.LoadInBatches(context.Background(), 100, 10, gen(&generated),
		func([]int) error {
			calls++
			if calls == 2 {
				return boom
			}
			return nil
		}, nil)
	if !errors.Is(err, boom) || err.Error() != "batch at 10: boom" || calls != 2 {
		t.Fatalf("failed load: err %v, %d loads", err, calls)
	}
	// Returned: the generator no longer runs (at most one batch ahead).
	if n := len(generated); n > 4 {
		t.Fatalf("generator ran %d batches after a failure at the second", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	generated, calls = nil, 0
	err = database.LoadInBatches(ctx, 100, 10, gen(&generated), func([]int) error { calls++; cancel(); return nil }, nil)
	if !errors.Is(err, context.Canceled) || calls > 2 {
		t.Fatalf("cancelled: err %v after %d loads", err, calls)
	}
}
