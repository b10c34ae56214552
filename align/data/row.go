package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// A row is one record of a data file decoded into plain Go values: JSON
// objects and Parquet groups as map[string]any, lists as []any, strings,
// booleans, numbers (json.Number from JSONL, int64/int32/float64 from
// Parquet) and nil for null. The functions below turn rows into examples;
// their errors name the field.

// The getters take the object m, the path of m inside the row ("" at the
// top, "info." or "chosen[2]." below) and the key, and name the field in
// their errors by path+key.

// field returns m[key], or an error when it is absent or null.
func field(m map[string]any, path, key string) (any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, fmt.Errorf("field %s%s: missing", path, key)
	}
	return v, nil
}

// stringField returns the string m[key].
func stringField(m map[string]any, path, key string) (string, error) {
	v, err := field(m, path, key)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("field %s%s: want a string, got %s", path, key, kind(v))
	}
	return s, nil
}

// intField returns the integer row[key].
func intField(row map[string]any, key string) (int, error) {
	v, err := field(row, "", key)
	if err != nil {
		return 0, err
	}
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return 0, fmt.Errorf("field %s: want an integer, got %s", key, quote(n.String()))
		}
		return int(i), nil
	case int64:
		return int(n), nil
	case int32:
		return int(n), nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int(n), nil
		}
	}
	return 0, fmt.Errorf("field %s: want an integer, got %s", key, kind(v))
}

// boolField returns the boolean row[key].
func boolField(row map[string]any, key string) (bool, error) {
	v, err := field(row, "", key)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("field %s: want true or false, got %s", key, kind(v))
	}
	return b, nil
}

// textOrMessages reads row[key] as a string (msgs nil) or a list of
// {role, content} messages (text "").
func textOrMessages(row map[string]any, key string) (text string, msgs []Message, err error) {
	v, err := field(row, "", key)
	if err != nil {
		return "", nil, err
	}
	switch x := v.(type) {
	case string:
		return x, nil, nil
	case []any:
		msgs = make([]Message, len(x))
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return "", nil, fmt.Errorf("field %s[%d]: want a {role, content} message, got %s", key, i, kind(e))
			}
			path := fmt.Sprintf("%s[%d].", key, i)
			if msgs[i].Role, err = stringField(m, path, "role"); err != nil {
				return "", nil, err
			}
			if msgs[i].Content, err = stringField(m, path, "content"); err != nil {
				return "", nil, err
			}
		}
		if len(msgs) == 0 {
			return "", nil, fmt.Errorf("field %s: empty message list", key)
		}
		return "", msgs, nil
	}
	return "", nil, fmt.Errorf("field %s: want a string or a list of {role, content} messages, got %s", key, kind(v))
}

// promptText renders the prompt field (a string or messages).
func promptText(text string, msgs []Message) (string, error) {
	if msgs == nil {
		return text, nil
	}
	s, err := RenderPrompt(msgs)
	if err != nil {
		return "", fmt.Errorf("field prompt: %w", err)
	}
	return s, nil
}

// completionText renders a completion field (a string or messages).
func completionText(key, text string, msgs []Message) (string, error) {
	if msgs == nil {
		return text, nil
	}
	s, err := RenderCompletion(msgs)
	if err != nil {
		return "", fmt.Errorf("field %s: %w", key, err)
	}
	return s, nil
}

// errEmptyPrompt: a completion is scored given the tokens before it, so
// every example needs a prompt token.
var errEmptyPrompt = errors.New("field prompt: empty; every example needs a non-empty prompt (its completion is scored given the prompt's tokens)")

// pairFromRow reads a TRL preference row: prompt, chosen and rejected,
// each a string or a list of messages. Without a prompt, chosen and
// rejected must be conversations sharing their first messages, which become
// the prompt (TRL's extract_prompt for the implicit-prompt format).
func pairFromRow(row map[string]any) (Pair, error) {
	cText, cMsgs, err := textOrMessages(row, "chosen")
	if err != nil {
		return Pair{}, err
	}
	rText, rMsgs, err := textOrMessages(row, "rejected")
	if err != nil {
		return Pair{}, err
	}
	var pText string
	var pMsgs []Message
	if v, ok := row["prompt"]; ok && v != nil {
		if pText, pMsgs, err = textOrMessages(row, "prompt"); err != nil {
			return Pair{}, err
		}
	} else {
		if cMsgs == nil || rMsgs == nil {
			return Pair{}, fmt.Errorf("field prompt: missing (only conversations can carry an implicit prompt)")
		}
		k := 0
		for k < len(cMsgs) && k < len(rMsgs) && cMsgs[k] == rMsgs[k] {
			k++
		}
		if k == 0 || k == len(cMsgs) || k == len(rMsgs) {
			return Pair{}, fmt.Errorf("field prompt: missing, and chosen and rejected share %d leading messages; want a common prompt followed by different completions", k)
		}
		pMsgs, cMsgs, rMsgs = slices.Clone(cMsgs[:k]), cMsgs[k:], rMsgs[k:]
	}
	var p Pair
	if p.Prompt, err = promptText(pText, pMsgs); err != nil {
		return Pair{}, err
	}
	if p.Prompt == "" {
		return Pair{}, errEmptyPrompt
	}
	if p.Chosen, err = completionText("chosen", cText, cMsgs); err != nil {
		return Pair{}, err
	}
	if p.Rejected, err = completionText("rejected", rText, rMsgs); err != nil {
		return Pair{}, err
	}
	return p, nil
}

// unpairedFromRow reads a KTO row: prompt, completion (strings or
// messages) and a boolean label.
func unpairedFromRow(row map[string]any) (Unpaired, error) {
	pText, pMsgs, err := textOrMessages(row, "prompt")
	if err != nil {
		return Unpaired{}, err
	}
	cText, cMsgs, err := textOrMessages(row, "completion")
	if err != nil {
		return Unpaired{}, err
	}
	var u Unpaired
	if u.Prompt, err = promptText(pText, pMsgs); err != nil {
		return Unpaired{}, err
	}
	if u.Prompt == "" {
		return Unpaired{}, errEmptyPrompt
	}
	if u.Completion, err = completionText("completion", cText, cMsgs); err != nil {
		return Unpaired{}, err
	}
	if u.Desirable, err = boolField(row, "label"); err != nil {
		return Unpaired{}, err
	}
	return u, nil
}

// kind names the JSON type of a decoded value for error messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, int64, int32, float64, float32:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
