// Package data reads preference data sets and collates them into padded
// token batches for the losses of package align.
//
// # Formats
//
// ReadPairs reads TRL's preference format from .jsonl or .parquet files:
// rows with prompt, chosen and rejected, each a string or a conversation (a
// list of {role, content} messages). Conversations are rendered with a
// plain template, the Anthropic HH format of the DPO paper's dialogue
// experiments (see RenderPrompt and RenderCompletion):
//
//	prompt   "\n\nHuman: {user}\n\nAssistant:"
//	chosen   " {assistant}"
//
// A row without a prompt whose chosen and rejected conversations share their
// first messages takes those as the prompt (TRL's implicit-prompt format).
//
// ReadTLDR reads the comparisons of OpenAI's summarize_from_feedback
// (info.post, info.title, info.subreddit, summaries[].text, choice) with the
// DPO paper's TL;DR prompt, "SUBREDDIT: r/{subreddit}\nTITLE: {title}\nPOST:
// {post}\nTL;DR:" (TLDRPrompt); CNN/Daily Mail comparisons are skipped and
// counted. ReadUnpaired reads KTO-style rows (prompt, completion, label).
//
// Every reader returns an error for a bad row naming the file, the line
// (JSONL) or row (Parquet), both counted from 1, and the field:
// "data: train.jsonl:12: field chosen: missing". Bad rows include an empty
// prompt (a completion is scored given the prompt's tokens) and text that
// is not valid UTF-8 (never silently replaced by U+FFFD). A JSONL line over
// MaxLineBytes (1 MiB unless raised) is an error naming the file and line,
// reported without reading the rest of the line; a path that is not a
// regular file (a FIFO, a device) is refused without being opened.
//
// # Collation
//
// Tokenize encodes prompt and completions separately with any
// func(string) []int, and Collator.Collate lays out B pairs as one
// right-padded batch of 2B rows, [chosen...; rejected...], with input ids,
// attention mask and labels ([2B, T] each, row-major; labels are
// IgnoreIndex on prompt and padding), EOS appended to each completion,
// sequences cut to their first MaxLength tokens and pairs whose prompt alone
// reaches MaxLength dropped and counted. PairBatch.Targets gives the
// next-token targets and mask for scoring per-token log-probs.
package data
