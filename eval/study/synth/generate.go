package synth

import (
	"math"
	"math/rand/v2"
)

// Doc is one document: its tokens and its keys in document order.
type Doc struct {
	Tokens []int // 12..20 tokens
	Keys   []int // the k distinct key tokens, in the order they appear
}

// Prompt returns the document left-padded with PAD to MaxDocLen tokens,
// followed by SEP: always PromptLen tokens.
func (d Doc) Prompt() []int {
	p := make([]int, 0, PromptLen)
	for i := len(d.Tokens); i < MaxDocLen; i++ {
		p = append(p, PAD)
	}
	p = append(p, d.Tokens...)
	return append(p, SEP)
}

// NewDoc draws a document: length uniform in [MinDocLen, MaxDocLen], k
// uniform in {2,3,4} distinct keys at random distinct positions, every other
// slot a uniform filler (fillers may repeat).
func NewDoc(rng *rand.Rand) Doc {
	n := MinDocLen + rng.IntN(MaxDocLen-MinDocLen+1)
	k := 2 + rng.IntN(3)
	tokens := make([]int, n)
	for i := range tokens {
		tokens[i] = FirstFill + rng.IntN(NumFillers)
	}
	keys := rng.Perm(NumKeys)[:k]
	pos := rng.Perm(n)[:k]
	isKey := make([]int, n)
	for i := range isKey {
		isKey[i] = -1
	}
	for j, p := range pos {
		isKey[p] = keys[j]
	}
	var ordered []int
	for i, kk := range isKey {
		if kk >= 0 {
			tokens[i] = kk
			ordered = append(ordered, kk)
		}
	}
	return Doc{Tokens: tokens, Keys: ordered}
}

// Noise sets the noisy "human" summary generator.
type Noise struct {
	Swap   float64 // probability of swapping two adjacent keys first (0.10)
	Drop   float64 // probability of dropping each key (0.40)
	Insert float64 // probability of junk after an emitted key (0.10)
	Stop   float64 // probability of stopping after an emitted key (0.25)
	MaxLen int     // truncation length (6)
}

// DefaultNoise is the recipe's generator: mostly short, incomplete summaries.
var DefaultNoise = Noise{Swap: 0.10, Drop: 0.40, Insert: 0.10, Stop: 0.25, MaxLen: 6}

// Summary draws a noisy summary of d (tokens without EOS): with probability
// Swap two adjacent keys trade places; then each key is dropped with
// probability Drop or emitted; after an emitted key, junk is inserted with
// probability Insert (half the time a filler copied from the document, half
// the time a repeat of an emitted key) and the summary stops with
// probability Stop; finally it is truncated to MaxLen tokens.
func (nz Noise) Summary(rng *rand.Rand, d Doc) []int {
	keys := append([]int(nil), d.Keys...)
	if len(keys) >= 2 && rng.Float64() < nz.Swap {
		i := rng.IntN(len(keys) - 1)
		keys[i], keys[i+1] = keys[i+1], keys[i]
	}
	var fillers []int
	for _, t := range d.Tokens {
		if !IsKey(t) {
			fillers = append(fillers, t)
		}
	}
	var y, emitted []int
	for _, k := range keys {
		if rng.Float64() < nz.Drop {
			continue
		}
		y = append(y, k)
		emitted = append(emitted, k)
		if rng.Float64() < nz.Insert {
			if rng.Float64() < 0.5 && len(fillers) > 0 {
				y = append(y, fillers[rng.IntN(len(fillers))])
			} else {
				y = append(y, emitted[rng.IntN(len(emitted))])
			}
		}
		if rng.Float64() < nz.Stop {
			break
		}
	}
	if len(y) > nz.MaxLen {
		y = y[:nz.MaxLen]
	}
	return y
}

// Pair is one preference comparison: two responses (without EOS) to a
// document, Chosen preferred by the Bradley-Terry labeller.
type Pair struct {
	Doc      Doc
	Chosen   []int
	Rejected []int
}

// NewPair draws two distinct summaries of a fresh document (resampling the
// second while identical, and the document when 100 draws in a row are
// identical) and labels them by Bradley-Terry on the gold reward:
// P(a preferred) = sigmoid((gold(a) - gold(b)) / temperature).
func (nz Noise) NewPair(rng *rand.Rand, temperature float64) Pair {
	var d Doc
	var a, b []int
	for same := true; same; {
		d = NewDoc(rng)
		a = nz.Summary(rng, d)
		for try := 0; try < 100; try++ {
			b = nz.Summary(rng, d)
			if !equalTokens(a, b) {
				same = false
				break
			}
		}
	}
	ga, gb := Gold(d.Keys, withEOS(a)), Gold(d.Keys, withEOS(b))
	pA := 1 / (1 + math.Exp(-(ga-gb)/temperature))
	if rng.Float64() < pA {
		return Pair{Doc: d, Chosen: a, Rejected: b}
	}
	return Pair{Doc: d, Chosen: b, Rejected: a}
}

func withEOS(y []int) []int { return append(append([]int(nil), y...), EOS) }

func equalTokens(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
