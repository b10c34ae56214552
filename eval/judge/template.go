package judge

// TLDRTemplate is the default judging prompt: the TL;DR summarization prompt
// of the DPO paper (Rafailov et al. 2023, appendix "GPT-4 prompts for
// computing summarization and dialogue win rates"). It is a text/template
// over TemplateData: {{.Prompt}} is the forum post, {{.A}} and {{.B}} the
// summaries in the order presented.
const TLDRTemplate = `Which of the following summaries does a better job of summarizing the most important points in the given forum post, without including unimportant or irrelevant details? A good summary is both precise and concise.

Post:
{{.Prompt}}

Summary A:
{{.A}}

Summary B:
{{.B}}

FIRST provide a one-sentence comparison of the two summaries, explaining which you prefer and why. SECOND, on a new line, state only "A" or "B" to indicate your choice. Your response should use the format:
Comparison: <one-sentence comparison and explanation>
Preferred: <"A" or "B">
`

// TemplateData is what a judging template is executed with.
type TemplateData struct {
	Prompt string // the prompt (for TL;DR: the forum post)
	A, B   string // the responses in the order presented
}
