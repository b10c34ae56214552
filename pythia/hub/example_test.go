package hub_test

import (
	"context"
	"fmt"

	"github.com/daalab/daa/pythia/hub"
)

// Download Pythia-70m at training step 3000 into the Hugging Face cache (or
// reuse what is there), then find it again offline with Resolve.
func ExampleDownload() {
	dir, err := hub.Download(context.Background(), "EleutherAI/pythia-70m@step3000", hub.Options{
		Progress: func(file string, done, total int64) {
			if done == total {
				fmt.Println("have", file)
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := hub.Resolve("EleutherAI/pythia-70m@step3000")
	fmt.Println(dir == again)
}
