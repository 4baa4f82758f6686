package main

import "sync"

// wsOut is what the chat page receives over its WebSocket.
type wsOut struct {
	// "message", "edit", "delete", "sent"; "typing" (an operator types a
	// reply: Name) or "read" (the team read the visitor's lines up to UpTo).
	Type string `json:"type"`
	Line *line  `json:"line,omitempty"`
	Name string `json:"name,omitempty"`
	UpTo string `json:"upTo,omitempty"`
}

// hub fans operator messages out to every open page of a visitor.
type hub struct {
	// mu guards pages.
	mu    sync.Mutex
	pages map[string]map[chan wsOut]struct{}
}

func newHub() *hub { return &hub{pages: map[string]map[chan wsOut]struct{}{}} }

func (h *hub) join(visitorID string) chan wsOut {
	ch := make(chan wsOut, 16)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pages[visitorID] == nil {
		h.pages[visitorID] = map[chan wsOut]struct{}{}
	}
	h.pages[visitorID][ch] = struct{}{}
	return ch
}

func (h *hub) leave(visitorID string, ch chan wsOut) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.pages[visitorID], ch)
	if len(h.pages[visitorID]) == 0 {
		delete(h.pages, visitorID)
	}
}

// push returns how many pages took the message. A page too slow to keep up
// misses it live and finds it in the history when it reconnects.
func (h *hub) push(visitorID string, m wsOut) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for ch := range h.pages[visitorID] {
		select {
		case ch <- m:
			n++
		default:
		}
	}
	return n
}
