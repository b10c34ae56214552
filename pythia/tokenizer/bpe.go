package tokenizer

import "sync"

// Byte-pair encoding of one pre-tokenizer piece, exactly as Hugging Face's
// BPE model (tokenizers/src/models/bpe/word.rs, merge_all without dropout):
// the piece starts as one symbol per byte; a heap holds every adjacent pair
// that has a merge rule, ordered by (rank, position); the top pair is merged
// unless it is stale (a side was already merged away, or the pair now there
// does not produce the same token), and the new pairs it forms with its
// neighbours are pushed.

// mergeRule is what merging a pair makes: the merge's rank (its index in
// model.merges; lower merges first) and the id of the merged token.
type mergeRule struct {
	rank int32
	id   int32
}

// pairKey packs the ids of a pair into one map key.
func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// symbol is one symbol of a word under merging, in a doubly linked list
// over the initial byte positions. A symbol merged into its left neighbour
// is marked removed.
type symbol struct {
	id         int32
	prev, next int32 // positions of the neighbours, -1 at the ends
	removed    bool
}

// candidate is a heap entry: merge the symbol at pos with its right
// neighbour into token id, with the given rank.
type candidate struct {
	rank, pos, id int32
}

// before orders the heap: lower rank first, then leftmost.
func (c candidate) before(d candidate) bool {
	return c.rank < d.rank || (c.rank == d.rank && c.pos < d.pos)
}

// bpeScratch holds the buffers of one merge run, reused through a pool.
type bpeScratch struct {
	syms []symbol
	heap []candidate
}

var scratchPool = sync.Pool{New: func() any { return new(bpeScratch) }}

// bpe appends to dst the ids of word (raw bytes, before the byte-level
// mapping) after applying every applicable merge.
func (t *Tokenizer) bpe(dst []int32, word string) []int32 {
	sc := scratchPool.Get().(*bpeScratch)
	defer scratchPool.Put(sc)
	n := len(word)
	syms := sc.syms[:0]
	for i := 0; i < n; i++ {
		syms = append(syms, symbol{id: t.byteID[word[i]], prev: int32(i - 1), next: int32(i + 1)})
	}
	if n > 0 {
		syms[n-1].next = -1
	}
	h := sc.heap[:0]
	for i := 0; i+1 < n; i++ {
		if r, ok := t.merges[pairKey(syms[i].id, syms[i+1].id)]; ok {
			h = heapPush(h, candidate{rank: r.rank, pos: int32(i), id: r.id})
		}
	}
	for len(h) > 0 {
		var top candidate
		top, h = heapPop(h)
		s := &syms[top.pos]
		if s.removed || s.next < 0 {
			continue
		}
		right := &syms[s.next]
		if r, ok := t.merges[pairKey(s.id, right.id)]; !ok || r.id != top.id {
			continue // stale entry
		}
		// Merge: s absorbs its right neighbour.
		s.id = top.id
		right.removed = true
		s.next = right.next
		if s.next >= 0 {
			syms[s.next].prev = top.pos
		}
		if s.prev >= 0 {
			if r, ok := t.merges[pairKey(syms[s.prev].id, s.id)]; ok {
				h = heapPush(h, candidate{rank: r.rank, pos: s.prev, id: r.id})
			}
		}
		if s.next >= 0 {
			if r, ok := t.merges[pairKey(s.id, syms[s.next].id)]; ok {
				h = heapPush(h, candidate{rank: r.rank, pos: top.pos, id: r.id})
			}
		}
	}
	for i := range syms {
		if !syms[i].removed {
			dst = append(dst, syms[i].id)
		}
	}
	sc.syms, sc.heap = syms, h
	return dst
}

// heapPush adds c to the binary min-heap h.
func heapPush(h []candidate, c candidate) []candidate {
	h = append(h, c)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	return h
}

// heapPop removes and returns the first entry of the non-empty heap h.
func heapPop(h []candidate) (candidate, []candidate) {
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].before(h[m]) {
			m = l
		}
		if r < len(h) && h[r].before(h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	return top, h
}
