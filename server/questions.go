package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"switchboard/wire"
)

// Questions for a channel's connector (is this phone number on WhatsApp?)
// reach the instance running the channel: only one instance holds a
// channel's lease, and the operator may be connected to any. The asker
// signals the question; the instance running the channel answers with a
// signal addressed to the asker; the others keep silent.

// question asks the connector of Channel about a contact.
type question struct {
	ID      string                   `json:"id"`
	Channel string                   `json:"channel"`
	Contact wire.ContactCheckRequest `json:"contact"`
}

// answer is the reply of the instance running the channel.
type answer struct {
	To      string            `json:"to"` // the asking instance
	ID      string            `json:"id"`
	Check   wire.ContactCheck `json:"check"`
	Refusal *ChannelRefusal   `json:"refusal,omitempty"`
	Failed  string            `json:"failed,omitempty"` // the connector failed: why, for the log
}

// pending are the questions this instance waits on, by id.
type pending struct {
	mu      sync.Mutex
	waiting map[string]chan answer
}

func (p *pending) add(id string) chan answer {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waiting == nil {
		p.waiting = map[string]chan answer{}
	}
	ch := make(chan answer, 1)
	p.waiting[id] = ch
	return ch
}

func (p *pending) drop(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.waiting, id)
}

func (p *pending) answer(a answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ch := p.waiting[a.ID]; ch != nil {
		delete(p.waiting, a.ID)
		ch <- a
	}
}

// askOthers asks the other instances the question and waits for the one
// running the channel, until ctx ends (then the channel runs nowhere).
func (s *Server) askOthers(ctx context.Context, channelID string, q wire.ContactCheckRequest) (wire.ContactCheck, error) {
	if !s.st.Shared() {
		return wire.ContactCheck{}, ErrChannelNotHere
	}
	// A channel nobody holds runs nowhere: say so at once rather than wait.
	if held, err := s.st.LeaseHeld(ctx, channelID, time.Now()); err != nil || !held {
		return wire.ContactCheck{}, errors.Join(ErrChannelNotHere, err)
	}
	ask := question{ID: NewID(), Channel: channelID, Contact: q}
	ch := s.asked.add(ask.ID)
	defer s.asked.drop(ask.ID)
	b, err := json.Marshal(signal{From: s.instance, Ask: &ask})
	if err != nil {
		return wire.ContactCheck{}, err
	}
	if err := s.st.Signal(ctx, b); err != nil {
		return wire.ContactCheck{}, err
	}
	select {
	case a := <-ch:
		switch {
		case a.Refusal != nil:
			return wire.ContactCheck{}, a.Refusal
		case a.Failed != "":
			return wire.ContactCheck{}, errors.New(a.Failed)
		}
		return a.Check, nil
	case <-ctx.Done():
		return wire.ContactCheck{}, fmt.Errorf("no instance answered for channel %s: %w", channelID, ErrChannelNotHere)
	}
}

// answerQuestion answers another instance's question if this one runs the
// channel.
func (s *Server) answerQuestion(asker string, q question) {
	check := s.contacts.Load()
	if check == nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, contactCheckTimeout)
	defer cancel()
	res, err := (*check)(ctx, q.Channel, q.Contact)
	if errors.Is(err, ErrChannelNotHere) {
		return // another instance runs it
	}
	a := answer{To: asker, ID: q.ID, Check: res}
	var refused *ChannelRefusal
	switch {
	case errors.As(err, &refused):
		a.Refusal = refused
	case err != nil:
		a.Failed = err.Error()
	}
	b, err := json.Marshal(signal{From: s.instance, Answer: &a})
	if err == nil {
		err = s.st.Signal(s.ctx, b)
	}
	if err != nil && s.ctx.Err() == nil {
		s.log.Warn("answer another instance", "channel", q.Channel, "err", err)
	}
}
