package synth

// The task's 51-token vocabulary.
const (
	NumKeys    = 16 // key tokens 0..15
	FirstFill  = 16 // filler tokens 16..47
	NumFillers = 32
	SEP        = 48 // separates the prompt from the response
	EOS        = 49 // ends a response
	PAD        = 50 // left-pads prompts to PromptLen-1 document slots
	VocabSize  = 51

	MaxDocLen    = 20            // documents have 12..20 tokens
	MinDocLen    = 12            //
	PromptLen    = MaxDocLen + 1 // left-padded document, then SEP
	MaxNewTokens = 16            // the gold reward's EOS deadline and the sampling limit
)

// IsKey reports whether token t is a key token.
func IsKey(t int) bool { return t >= 0 && t < NumKeys }
