package tokenizer_test

import (
	"fmt"
	"log"

	"github.com/daalab/daa/pythia/tokenizer"
)

// Encode text for a Pythia model and decode it back. (Not run by go test:
// it needs the tokenizer.json of a Pythia model, e.g. ../shared/pythia.)
func ExampleLoad() {
	tok, err := tokenizer.Load("tokenizer.json")
	if err != nil {
		log.Fatal(err)
	}
	ids := tok.Encode("Hello world")
	fmt.Println(ids) // [12092 1533]
	eos, _ := tok.EOS()
	ids = append(ids, eos) // end of document: [12092 1533 0]
	text, err := tok.Decode(ids)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", text) // "Hello world<|endoftext|>"
}
