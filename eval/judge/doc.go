// Package judge compares two responses to a prompt and turns many such
// comparisons into a win rate.
//
// A Judge returns which of two presented responses is better (A, B or Tie).
// Two implementations are provided: RewardJudge, which compares a gold reward
// function's values, and ChatJudge, which asks an LLM behind any
// OpenAI-compatible chat-completions endpoint with the TL;DR judging prompt of
// the DPO paper (Rafailov et al. 2023, appendix).
//
// WinRate runs a judge over a fixed prompt set, comparing every candidate
// response with every reference response of its prompt. It flips the order of
// presentation at random (seeded, so runs repeat) to cancel the judge's
// position bias, caches verdicts (in memory and optionally in an append-only
// JSONL file, keyed by a hash of the judge ID, prompt and both responses in
// the order presented), limits concurrency, and reports
// win = P(win) + 0.5 P(tie) with a standard error clustered by prompt.
//
// For gold rewards that are already computed (the flagship's gold reward on
// token ids), eval.WinRateFromRewards gives the same statistic without a
// judge.
package judge
