package judge

import (
	"context"
	"fmt"
	"math"
)

// RewardJudge judges by a gold reward function: the response with the higher
// Reward(prompt, response) wins, equal rewards tie. Name identifies the
// reward function in the verdict cache (ID returns "reward:" + Name).
//
// For rewards defined on token ids, either decode the ids to strings in
// Reward, or skip the judge and compute rewards directly with
// eval.TokenRewards and eval.WinRateFromRewards, which give the same win rate.
type RewardJudge struct {
	Name   string
	Reward func(prompt, response string) float64
}

// ID returns "reward:" + Name.
func (j RewardJudge) ID() string { return "reward:" + j.Name }

// Judge compares Reward(prompt, a) with Reward(prompt, b). It returns an
// error when either reward is NaN, and ctx's error when ctx is done.
func (j RewardJudge) Judge(ctx context.Context, prompt, a, b string) (Verdict, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	ra, rb := j.Reward(prompt, a), j.Reward(prompt, b)
	switch {
	case math.IsNaN(ra) || math.IsNaN(rb):
		return 0, fmt.Errorf("judge: reward %q is NaN (a: %v, b: %v)", j.Name, ra, rb)
	case ra > rb:
		return A, nil
	case rb > ra:
		return B, nil
	default:
		return Tie, nil
	}
}
