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
