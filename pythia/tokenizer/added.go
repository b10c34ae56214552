package tokenizer

// addedMatcher finds added tokens in text, leftmost-longest, as Hugging
// Face's AddedVocabulary does with its Aho-Corasick automaton
// (MatchKind::LeftmostLongest): scanning from the left, at the first
// position where some added token starts, the longest such token is taken
// and the scan resumes after it. It is a byte trie; added tokens are few.
type addedMatcher struct {
	nodes []trieNode
	first [256]bool // first[b]: some added token starts with byte b
}

// trieNode is one trie state: its outgoing edges (labels[k] leads to
// children[k]) and the added token that ends here (id, or -1).
type trieNode struct {
	labels   []byte
	children []int32
	id       int32
}

// newAddedMatcher builds a matcher for the given contents and ids.
func newAddedMatcher(contents []string, ids []int32) *addedMatcher {
	m := &addedMatcher{nodes: []trieNode{{id: -1}}}
	for k, s := range contents {
		n := int32(0)
		for i := 0; i < len(s); i++ {
			n = m.child(n, s[i], true)
		}
		m.nodes[n].id = ids[k]
		m.first[s[0]] = true
	}
	return m
}

// child follows the edge labelled b from node n; with create it adds a
// missing edge, otherwise it returns -1 when there is none.
func (m *addedMatcher) child(n int32, b byte, create bool) int32 {
	node := &m.nodes[n]
	for k, l := range node.labels {
		if l == b {
			return node.children[k]
		}
	}
	if !create {
		return -1
	}
	c := int32(len(m.nodes))
	node.labels = append(node.labels, b)
	node.children = append(node.children, c)
	m.nodes = append(m.nodes, trieNode{id: -1})
	return c
}

// longestAt returns the end of the longest added token starting at s[i] and
// its id, or id -1 when none starts there.
func (m *addedMatcher) longestAt(s string, i int) (end int, id int32) {
	id = -1
	n := int32(0)
	for j := i; j < len(s); j++ {
		if n = m.child(n, s[j], false); n < 0 {
			break
		}
		if m.nodes[n].id >= 0 {
			end, id = j+1, m.nodes[n].id
		}
	}
	return end, id
}

// next returns the first added-token match at or after s[from]: its start,
// end and id; id is -1 (and start = end = len(s)) when there is none.
func (m *addedMatcher) next(s string, from int) (start, end int, id int32) {
	if m == nil {
		return len(s), len(s), -1
	}
	for i := from; i < len(s); i++ {
		if !m.first[s[i]] {
			continue
		}
		if end, id := m.longestAt(s, i); id >= 0 {
			return i, end, id
		}
	}
	return len(s), len(s), -1
}
