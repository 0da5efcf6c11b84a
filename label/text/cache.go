package text

import "sync"

// lru is a least-recently-used map bounded both in entries and in the
// total cost of its values (glyphs or runes held), so a run of long texts
// cannot grow it past its budget. It is safe for concurrent use. Values
// are shared with every caller that gets them and must not be modified.
type lru[K comparable, V any] struct {
	mu      sync.Mutex
	maxLen  int
	maxCost int
	cost    int
	items   map[K]*lruEntry[K, V]
	head    lruEntry[K, V] // sentinel: head.next is the most recent
}

type lruEntry[K comparable, V any] struct {
	key        K
	val        V
	cost       int
	prev, next *lruEntry[K, V]
}

// newLRU returns a cache of at most maxLen entries costing at most maxCost
// in all. A maxLen of 0 makes a cache that keeps nothing.
func newLRU[K comparable, V any](maxLen, maxCost int) *lru[K, V] {
	c := &lru[K, V]{maxLen: maxLen, maxCost: maxCost, items: make(map[K]*lruEntry[K, V])}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

func (c *lru[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.val, true
}

// put adds v under k. A value costing more than the whole budget is not
// kept: it would only push out everything else.
func (c *lru[K, V]) put(k K, v V, cost int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		// Another goroutine made the same value meanwhile; keep the first.
		c.unlink(e)
		c.pushFront(e)
		return
	}
	if c.maxLen <= 0 || cost > c.maxCost {
		return
	}
	e := &lruEntry[K, V]{key: k, val: v, cost: cost}
	c.items[k] = e
	c.pushFront(e)
	c.cost += cost
	for len(c.items) > c.maxLen || c.cost > c.maxCost {
		last := c.head.prev
		c.unlink(last)
		delete(c.items, last.key)
		c.cost -= last.cost
	}
}

func (c *lru[K, V]) unlink(e *lruEntry[K, V]) {
	e.prev.next, e.next.prev = e.next, e.prev
}

func (c *lru[K, V]) pushFront(e *lruEntry[K, V]) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}

// size returns the number of entries and their total cost.
func (c *lru[K, V]) size() (entries, cost int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.cost
}
