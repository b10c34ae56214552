package data_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/daalab/daa/align/data"
)

// Read pairs in TRL's preference format (one string row and one
// conversation row, rendered with the Anthropic HH template), tokenize them
// and collate them into one padded batch of 2B rows. The tokenizer here
// maps each byte to its value; a model's would be tokenizer.Encode.
func ExampleCollator_Collate() {
	jsonl := `{"prompt": "2+2=", "chosen": "4", "rejected": "5"}` + "\n" +
		`{"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}], ` +
		`"rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}]}` + "\n"
	pairs, err := data.ParsePairsJSONL(strings.NewReader(jsonl), "example.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pairs {
		fmt.Printf("%q -> %q over %q\n", p.Prompt, p.Chosen, p.Rejected)
	}

	bytes := func(s string) []int {
		ids := make([]int, len(s))
		for i := range len(s) {
			ids[i] = int(s[i])
		}
		return ids
	}
	// MaxLength 24 leaves the second pair (a 23-token prompt) one
	// completion token, its first.
	c := data.Collator{MaxLength: 24, EOS: 0, Pad: 1}
	b, err := c.Collate(data.Tokenize(pairs, bytes))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d pairs -> %d rows of %d tokens\n", b.Pairs, 2*b.Pairs, b.Len)
	fmt.Println("prompt lengths", b.PromptLengths, "completion lengths", b.CompletionLengths)
	_, mask, labels := b.Row(2) // the first pair's rejected row
	fmt.Println("mask  ", mask)
	fmt.Println("labels", labels)
	// Output:
	// "2+2=" -> "4" over "5"
	// "\n\nHuman: Hi\n\nAssistant:" -> " Hello!" over " Go away."
	// 2 pairs -> 4 rows of 24 tokens
	// prompt lengths [4 23 4 23] completion lengths [2 1 2 1]
	// mask   [1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0]
	// labels [-100 -100 -100 -100 53 0 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100 -100]
}
