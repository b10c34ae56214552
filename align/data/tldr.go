package data

import "fmt"

// TLDRPrompt renders a Reddit post with the TL;DR prompt of the DPO paper
// (Rafailov et al. 2023):
//
//	SUBREDDIT: r/{subreddit}
//	TITLE: {title}
//	POST: {post}
//	TL;DR:
func TLDRPrompt(subreddit, title, post string) string {
	return "SUBREDDIT: r/" + subreddit + "\nTITLE: " + title + "\nPOST: " + post + "\nTL;DR:"
}

// errCNNDM marks a comparison of a CNN/Daily Mail article (info.article
// instead of info.post), which the TL;DR readers skip and count.
var errCNNDM = fmt.Errorf("CNN/Daily Mail comparison")

// tldrFromRow reads one comparison of OpenAI's summarize_from_feedback:
// info.{post,title,subreddit}, summaries[0..1].text and choice (0 or 1,
// the index of the preferred summary). The summaries are used verbatim (in
// the OpenAI files they begin with a space, continuing "TL;DR:").
func tldrFromRow(row map[string]any) (Pair, error) {
	v, err := field(row, "", "info")
	if err != nil {
		return Pair{}, err
	}
	info, ok := v.(map[string]any)
	if !ok {
		return Pair{}, fmt.Errorf("field info: want an object, got %s", kind(v))
	}
	if a, ok := info["article"]; ok && a != nil {
		if p, ok := info["post"]; !ok || p == nil {
			return Pair{}, errCNNDM
		}
	}
	var post, title, sub string
	for _, f := range []struct {
		key string
		dst *string
	}{{"post", &post}, {"title", &title}, {"subreddit", &sub}} {
		if *f.dst, err = stringField(info, "info.", f.key); err != nil {
			return Pair{}, err
		}
	}
	v, err = field(row, "", "summaries")
	if err != nil {
		return Pair{}, err
	}
	list, ok := v.([]any)
	if !ok || len(list) != 2 {
		return Pair{}, fmt.Errorf("field summaries: want a list of 2 summaries, got %s", describeList(v))
	}
	var texts [2]string
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return Pair{}, fmt.Errorf("field summaries[%d]: want an object, got %s", i, kind(e))
		}
		if texts[i], err = stringField(m, fmt.Sprintf("summaries[%d].", i), "text"); err != nil {
			return Pair{}, err
		}
	}
	choice, err := intField(row, "choice")
	if err != nil {
		return Pair{}, err
	}
	if choice != 0 && choice != 1 {
		return Pair{}, fmt.Errorf("field choice: %d; want 0 or 1", choice)
	}
	return Pair{Prompt: TLDRPrompt(sub, title, post), Chosen: texts[choice], Rejected: texts[1-choice]}, nil
}

func describeList(v any) string {
	if l, ok := v.([]any); ok {
		return fmt.Sprintf("a list of %d", len(l))
	}
	return kind(v)
}
