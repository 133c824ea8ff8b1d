package kmspub

import (
	"container/heap"
	"sync"
	"time"
)

// The name index bounds and drops the Keyring's entries for names other
// than key ARNs (aliases, bare key IDs, failed lookups); docs/KEYRING.md
// describes the policy. The hit path never touches it.

// nameIndex orders a Keyring's entries that are not permanent by the time
// each stops being of use, so that the miss path drops them in O(log n)
// and bounds their number. Such entries are written to Keyring.entries only
// under mu, so the index and the map agree. The hit path never touches it.
type nameIndex struct {
	mu     sync.Mutex
	byName map[string]*nameSlot
	heap   slotHeap
}

type nameSlot struct {
	name     string
	dropAt   time.Time
	negative bool // the name never resolved: the entry holds only an error
	index    int  // in nameIndex.heap
}

// dropUntil drops every entry no longer of use at now.
func (x *nameIndex) dropUntil(r *Keyring, now time.Time) {
	for len(x.heap) > 0 && !now.Before(x.heap[0].dropAt) {
		x.drop(r, x.heap[0])
	}
}

// evictNegative drops the entry due to be dropped first if it is a
// negative one: dropping it costs only an earlier retry.
func (x *nameIndex) evictNegative(r *Keyring) bool {
	if len(x.heap) == 0 || !x.heap[0].negative {
		return false
	}
	x.drop(r, x.heap[0])
	return true
}

func (x *nameIndex) drop(r *Keyring, slot *nameSlot) {
	if v, ok := r.entries.Load(slot.name); ok && !v.(*keyringEntry).permanent {
		r.entries.CompareAndDelete(slot.name, v)
	}
	x.remove(slot)
}

func (x *nameIndex) remove(slot *nameSlot) {
	heap.Remove(&x.heap, slot.index)
	delete(x.byName, slot.name)
}

// setName makes next the entry of keyID (nil: no entry), unless keyID
// holds a permanent entry, which stays. It first drops the entries no
// longer of use. A new name past the bound takes the place of the entry
// due to be dropped first if next is a resolved name and that entry a
// negative one; otherwise it is not stored, and setName returns false.
func (r *Keyring) setName(keyID string, next *keyringEntry, now time.Time) bool {
	x := &r.names
	x.mu.Lock()
	defer x.mu.Unlock()
	x.dropUntil(r, now)
	var cur *keyringEntry
	if v, ok := r.entries.Load(keyID); ok {
		if cur = v.(*keyringEntry); cur.permanent {
			return true
		}
	}
	slot := x.byName[keyID]
	if next == nil {
		if cur != nil {
			r.entries.CompareAndDelete(keyID, cur)
		}
		if slot != nil {
			x.remove(slot)
		}
		return true
	}
	if slot == nil {
		if len(x.byName) >= r.maxNames && (!next.resolved() || !x.evictNegative(r)) {
			return false
		}
		slot = &nameSlot{name: keyID}
		if x.byName == nil {
			x.byName = make(map[string]*nameSlot)
		}
		x.byName[keyID] = slot
		heap.Push(&x.heap, slot)
	}
	slot.dropAt, slot.negative = next.usefulUntil(&r.cache), !next.resolved()
	heap.Fix(&x.heap, slot.index)
	// Non-permanent entries are written only under x.mu, so these fail
	// only when a key ARN's permanent entry was stored meanwhile.
	var stored bool
	if cur == nil {
		_, loaded := r.entries.LoadOrStore(keyID, next)
		stored = !loaded
	} else {
		stored = r.entries.CompareAndSwap(keyID, cur, next)
	}
	if !stored {
		x.remove(slot)
	}
	return true
}

// slotHeap is a container/heap of slots, earliest dropAt first.
type slotHeap []*nameSlot

func (h slotHeap) Len() int           { return len(h) }
func (h slotHeap) Less(i, j int) bool { return h[i].dropAt.Before(h[j].dropAt) }
func (h slotHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *slotHeap) Push(x any) {
	slot := x.(*nameSlot)
	slot.index = len(*h)
	*h = append(*h, slot)
}
func (h *slotHeap) Pop() any {
	old := *h
	slot := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return slot
}
