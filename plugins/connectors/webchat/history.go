package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"switchboard/plugins/sdk"
)

// line is one message of a visitor's chat, as the page shows it.
type line struct {
	ID   string    `json:"id"`
	From string    `json:"from"` // "visitor" or "operator"
	Name string    `json:"name,omitempty"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
	// ReplyTo quotes the line an operator's message answers.
	ReplyTo *quote `json:"replyTo,omitempty"`
	Edited  bool   `json:"edited,omitempty"`
	// Deleted: the operator took the message back; its text is gone.
	Deleted bool `json:"deleted,omitempty"`
	// Files are the line's attachments, either way.
	Files []lineFile `json:"files,omitempty"`
	// Read: the team has read this line of the visitor's.
	Read bool `json:"read,omitempty"`
}

// quote is what a reply shows of the line it answers.
type quote struct {
	ID   string `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
}

// maxQuoteRunes bounds the text a quote repeats.
const maxQuoteRunes = 200

func quoteOf(l line) *quote {
	q := &quote{ID: l.ID, From: l.From, Text: l.Text}
	if r := []rune(q.Text); len(r) > maxQuoteRunes {
		q.Text = string(r[:maxQuoteRunes]) + "…"
	}
	return q
}

// find returns the index of the line with id, or -1.
func (v *visitor) find(id string) int {
	for i, l := range v.Lines {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// visitor is what the chat remembers of a person, kept in host state.
type visitor struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Lines []line `json:"lines"`
}

// maxHistory bounds what a returning visitor is shown and what is stored.
const maxHistory = 200

func visitorKey(id string) string { return "visitor/" + id }

func loadVisitor(ctx context.Context, h sdk.Host, id string) (visitor, bool, error) {
	raw, ok, err := h.StateGet(ctx, visitorKey(id))
	if err != nil || !ok {
		return visitor{ID: id}, false, err
	}
	var v visitor
	if err := json.Unmarshal(raw, &v); err != nil {
		return visitor{ID: id}, false, fmt.Errorf("visitor %s: %w", id, err)
	}
	return v, true, nil
}

func saveVisitor(ctx context.Context, h sdk.Host, v visitor) error {
	if len(v.Lines) > maxHistory {
		v.Lines = v.Lines[len(v.Lines)-maxHistory:]
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return h.StatePut(ctx, visitorKey(v.ID), raw)
}
