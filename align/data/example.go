package data

// Pair is one preference example as text: the prompt x, the preferred
// completion y_w and the dispreferred one y_l. A completion is the text
// that follows the prompt directly (tokenized separately, as TRL does).
type Pair struct {
	Prompt, Chosen, Rejected string
}

// Unpaired is one KTO-style example: a prompt, a completion, and whether
// the completion is desirable (TRL's "label").
type Unpaired struct {
	Prompt, Completion string
	Desirable          bool
}

// Message is one turn of a conversation ({"role": ..., "content": ...}).
type Message struct {
	Role, Content string
}
