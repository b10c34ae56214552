package tokenizer

import (
	"strings"
	"sync"
)

// wordCache remembers the ids of pre-tokenizer pieces already merged, so
// that common words cost one map lookup. It is safe for concurrent use.
// When it reaches maxCachedWords entries it is emptied and refills with the
// words in current use.
type wordCache struct {
	mu sync.RWMutex
	m  map[string][]int32
}

const (
	maxCachedWords   = 1 << 16
	maxCachedWordLen = 64 // bytes; longer pieces are merged every time
)

// get returns the cached ids of word.
func (c *wordCache) get(word string) ([]int32, bool) {
	c.mu.RLock()
	ids, ok := c.m[word]
	c.mu.RUnlock()
	return ids, ok
}

// put stores ids (which the cache now owns) for word.
func (c *wordCache) put(word string, ids []int32) {
	if len(word) > maxCachedWordLen {
		return
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedWords {
		c.m = make(map[string][]int32, 1024)
	}
	c.m[strings.Clone(word)] = ids // a copy: word may point into a large text
	c.mu.Unlock()
}
