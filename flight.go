package kmspub

import (
	"context"
	"errors"
	"sync"
)

// flightGroup makes concurrent misses for one name share one fetch, in the
// manner of golang.org/x/sync/singleflight, which kmspub does not depend on.
type flightGroup[V any] struct {
	mu      sync.Mutex
	flights map[string]*flight[V]
}

type flight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// do returns cached() when it has an answer, else joins the flight for key
// or starts one that runs fetch. cached is consulted under the group's lock,
// and fetch publishes its result to the cache before the flight ends, so a
// miss makes exactly one fetch however the callers interleave. A caller
// whose context ends stops waiting; when the leader's own context ended,
// the callers still waiting start a new flight instead of sharing its error.
func (g *flightGroup[V]) do(ctx context.Context, key string, cached func() (V, error, bool), fetch func() (V, error)) (V, error) {
	for {
		g.mu.Lock()
		if v, err, ok := cached(); ok {
			g.mu.Unlock()
			return v, err
		}
		if f, ok := g.flights[key]; ok {
			g.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
			if f.err != nil && isContextError(f.err) && ctx.Err() == nil {
				continue
			}
			return f.val, f.err
		}
		f := &flight[V]{done: make(chan struct{})}
		if g.flights == nil {
			g.flights = make(map[string]*flight[V])
		}
		g.flights[key] = f
		g.mu.Unlock()

		func() {
			// Even if fetch panics, waiters must be released.
			defer func() {
				g.mu.Lock()
				delete(g.flights, key)
				g.mu.Unlock()
				close(f.done)
			}()
			f.err = errFlightPanicked
			f.val, f.err = fetch()
		}()
		return f.val, f.err
	}
}

var errFlightPanicked = errors.New("kmspub: key fetch panicked")

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
