package judge_test

import (
	"context"
	"fmt"

	"github.com/daalab/daa/eval/judge"
)

// Win rate of candidate responses against references under a gold reward
// judge, with seeded position flips and a verdict cache.
func ExampleWinRate() {
	gold := judge.RewardJudge{Name: "length", Reward: func(prompt, response string) float64 {
		return float64(len(response)) // a toy gold reward: longer is better
	}}
	prompts := []string{"post 1", "post 2"}
	candidates := [][]string{{"a long summary", "short"}, {"medium one"}}
	references := [][]string{{"reference"}, {"a longer reference"}}
	res, err := judge.WinRate(context.Background(), gold, prompts, candidates, references,
		judge.WinRateOptions{Seed: 1, Concurrency: 2, Cache: judge.NewCache()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("win rate %.3f (wins %d, ties %d, losses %d)\n", res.WinRate.Mean, res.Wins, res.Ties, res.Losses)
	// Output:
	// win rate 0.333 (wins 1, ties 0, losses 2)
}
