package synth

// Gold returns the gold reward of a response to a document's keys (in
// document order). The response is the generated tokens, possibly ending with
// EOS; tokens after the first EOS are ignored. With y the tokens before EOS:
//
//	recall   = |distinct document keys in y| / k
//	junk     = len(y) - |distinct document keys in y|   (fillers, repeats, foreign keys)
//	order_ok = 1 if the first occurrences of the keys in y follow document order
//	gold     = recall + 0.25*order_ok*recall - 0.3*junk - 0.5*[no EOS within MaxNewTokens tokens]
//
// A perfect summary (every key, in order, nothing else, then EOS) scores 1.25.
func Gold(keys []int, response []int) float64 {
	y, ended := splitEOS(response)
	found := GoldParts(keys, y)
	r := found.Recall + 0.25*found.OrderOK*found.Recall - 0.3*float64(found.Junk)
	if !ended {
		r -= 0.5
	}
	return r
}

// Parts are the components of the gold reward of the tokens before EOS.
type Parts struct {
	Recall  float64 // share of the document's keys that appear
	OrderOK float64 // 1 if the keys' first occurrences follow document order, else 0
	Junk    int     // tokens that are not a first occurrence of a document key
}

// GoldParts computes recall, order and junk of the tokens y (no EOS).
func GoldParts(keys []int, y []int) Parts {
	rank := make(map[int]int, len(keys))
	for i, k := range keys {
		rank[k] = i
	}
	seen := make(map[int]bool, len(keys))
	distinct, last := 0, -1
	order := 1.0
	for _, t := range y {
		r, isDocKey := rank[t]
		if !isDocKey || seen[t] {
			continue
		}
		seen[t] = true
		distinct++
		if r < last {
			order = 0
		}
		last = r
	}
	p := Parts{OrderOK: order, Junk: len(y) - distinct}
	if len(keys) > 0 {
		p.Recall = float64(distinct) / float64(len(keys))
	}
	return p
}

// splitEOS returns the tokens before the first EOS and whether an EOS came
// within MaxNewTokens tokens.
func splitEOS(response []int) (y []int, ended bool) {
	for i, t := range response {
		if t == EOS {
			return response[:i], i < MaxNewTokens
		}
	}
	return response, false
}
