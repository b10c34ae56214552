package data

import (
	"fmt"
	"strings"
)

// The conversational template: the Anthropic HH format of the DPO paper's
// dialogue experiments. Each message becomes "\n\n<Speaker>: <content>"
// with Speaker Human (role user), Assistant (assistant) or System (system).
// A prompt ends with "\n\nAssistant:", and a completion, whose first
// message must be the assistant's, continues it with " <content>":
//
//	prompt:     "\n\nHuman: What is 2+2?\n\nAssistant:"
//	completion: " 4."
//
// Later messages of a multi-turn completion follow as "\n\nHuman: ..." and
// "\n\nAssistant: ...".

// speaker returns the template name of a role.
func speaker(role string) (string, error) {
	switch role {
	case "user":
		return "Human", nil
	case "assistant":
		return "Assistant", nil
	case "system":
		return "System", nil
	}
	return "", fmt.Errorf("unknown role %s (want user, assistant or system)", quote(role))
}

// RenderPrompt renders prompt messages with the conversational template,
// ending with the assistant's turn marker "\n\nAssistant:".
func RenderPrompt(msgs []Message) (string, error) {
	var s strings.Builder // not +=: that is quadratic in the number of messages
	for i, m := range msgs {
		sp, err := speaker(m.Role)
		if err != nil {
			return "", fmt.Errorf("message %d: %w", i, err)
		}
		s.WriteString("\n\n" + sp + ": ")
		s.WriteString(m.Content)
	}
	return s.String() + "\n\nAssistant:", nil
}

// RenderCompletion renders completion messages: the first, which must have
// role assistant, as " <content>" (continuing the prompt's
// "\n\nAssistant:"), the others as "\n\n<Speaker>: <content>".
func RenderCompletion(msgs []Message) (string, error) {
	if len(msgs) == 0 {
		return "", fmt.Errorf("no message")
	}
	if msgs[0].Role != "assistant" {
		return "", fmt.Errorf("message 0 has role %s; a completion starts with the assistant", quote(msgs[0].Role))
	}
	var s strings.Builder
	s.WriteString(" " + msgs[0].Content)
	for i, m := range msgs[1:] {
		sp, err := speaker(m.Role)
		if err != nil {
			return "", fmt.Errorf("message %d: %w", i+1, err)
		}
		s.WriteString("\n\n" + sp + ": ")
		s.WriteString(m.Content)
	}
	return s.String(), nil
}
