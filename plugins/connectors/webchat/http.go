package main

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"switchboard/plugins/sdk"
)

//go:embed assets
var assets embed.FS

const (
	cookieName   = "sb_visitor"
	maxTextRunes = 4000
)

var visitorPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func validVisitorID(id string) bool { return visitorPattern.MatchString(id) }

func (c *connector) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	files := http.FileServerFS(static)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		// The page renders customer and operator text with textContent
		// only; the policy forbids anything else from running.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self'; frame-ancestors *")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /api/config", c.handleConfig)
	mux.HandleFunc("POST /api/session", c.handleSession)
	mux.HandleFunc("GET /api/history", c.handleHistory)
	mux.HandleFunc("POST /api/messages", c.handleMessage)
	mux.HandleFunc("GET /api/ws", c.handleWS)
	mux.HandleFunc("POST /api/files", c.handleUpload)
	mux.HandleFunc("GET /api/files/{id}", c.handleFile)
	return mux
}

// apiError is what the page gets for bad input; code doubles as i18n key.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func newVisitorID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// visitorOf returns the visitor's id from the cookie, making a new visitor
// (and setting the cookie) when there is none.
func visitorOf(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(cookieName); err == nil && validVisitorID(ck.Value) {
		return ck.Value
	}
	id := newVisitorID()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return id
}

func (c *connector) handleConfig(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	title := c.cfg.Title
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"title": title})
}

type sessionRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

func (c *connector) handleSession(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"request_invalid", "send JSON with name and email"})
		return
	}
	req.Name, req.Email = strings.TrimSpace(req.Name), strings.TrimSpace(req.Email)
	if req.Name == "" || len([]rune(req.Name)) > 100 {
		writeJSON(w, http.StatusBadRequest, apiError{"name_invalid", "a name of 1 to 100 characters"})
		return
	}
	if req.Email != "" && (!strings.Contains(req.Email, "@") || len(req.Email) > 254) {
		writeJSON(w, http.StatusBadRequest, apiError{"email_invalid", "an e-mail address like name@example.com"})
		return
	}
	id := visitorOf(w, r)
	h, j, err := c.state()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{"chat_unavailable", "the chat is not ready"})
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, _, err := loadVisitor(r.Context(), h, id)
	if err == nil {
		v.Name, v.Email = req.Name, req.Email
		err = saveVisitor(r.Context(), h, v)
	}
	if err == nil {
		_, err = j.Append(r.Context(), sdk.Event{ChatID: id, OccurredAt: time.Now(),
			Profile: &sdk.Contact{ExternalID: id, DisplayName: v.Name, Email: v.Email}})
	}
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{"chat_unavailable", "try again"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": v.Name})
}

func (c *connector) handleHistory(w http.ResponseWriter, r *http.Request) {
	id := visitorOf(w, r)
	h, _, err := c.state()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{"chat_unavailable", "the chat is not ready"})
		return
	}
	c.mu.Lock()
	v, _, err := loadVisitor(r.Context(), h, id)
	c.mu.Unlock()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{"chat_unavailable", "try again"})
		return
	}
	if v.Lines == nil {
		v.Lines = []line{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": v.Name, "lines": v.Lines})
}

// handleMessage takes a visitor's message as JSON {"text": ...} or a form
// field text (plain HTML forms and the conformance command post forms).
func (c *connector) handleMessage(w http.ResponseWriter, r *http.Request) {
	var text string
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body struct {
			Text string `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"request_invalid", "send JSON with text"})
			return
		}
		text = body.Text
	} else {
		text = r.FormValue("text")
	}
	l, status, apiErr := c.visitorWrote(r.Context(), visitorOf(w, r), text, nil)
	if apiErr != nil {
		writeJSON(w, status, apiErr)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

// visitorWrote records a visitor's message (text, files or both): first in
// the journal the host reads, then in the visitor's history.
func (c *connector) visitorWrote(ctx context.Context, id, text string, files []lineFile) (line, int, *apiError) {
	text = strings.TrimSpace(text)
	switch {
	case text == "" && len(files) == 0:
		return line{}, http.StatusBadRequest, &apiError{"message_empty", "write something first"}
	case len([]rune(text)) > maxTextRunes:
		return line{}, http.StatusRequestEntityTooLarge, &apiError{"message_too_long", "at most 4000 characters"}
	}
	h, j, err := c.state()
	if err != nil {
		return line{}, http.StatusServiceUnavailable, &apiError{"chat_unavailable", "the chat is not ready"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, _, err := loadVisitor(ctx, h, id)
	if err != nil {
		return line{}, http.StatusInternalServerError, &apiError{"chat_unavailable", "try again"}
	}
	l := line{ID: "v-" + newVisitorID()[:16], From: "visitor", Name: v.Name, Text: text, At: time.Now().UTC(), Files: files}
	msg := &sdk.Message{ExternalID: l.ID, From: sdk.Contact{ExternalID: id, DisplayName: v.Name, Email: v.Email}, Text: text}
	for _, f := range files {
		msg.Attachments = append(msg.Attachments, sdk.Attachment{Name: f.Name, MIMEType: f.Type, Size: f.Size, BlobID: f.ID})
	}
	_, err = j.Append(ctx, sdk.Event{ChatID: id, OccurredAt: l.At, Message: msg})
	if err == nil {
		v.Lines = append(v.Lines, l)
		err = saveVisitor(ctx, h, v)
	}
	if err != nil {
		return line{}, http.StatusInternalServerError, &apiError{"chat_unavailable", "try again"}
	}
	return l, 0, nil
}

// wsIn is what the page sends over its WebSocket.
type wsIn struct {
	Type string `json:"type"` // "message" or "typing"
	Text string `json:"text"`
}

func (c *connector) handleWS(w http.ResponseWriter, r *http.Request) {
	id := visitorOf(w, r)
	c.mu.Lock()
	origins := c.cfg.AllowedOrigins
	c.mu.Unlock()
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: origins})
	if err != nil {
		return // Accept wrote the refusal
	}
	conn.SetReadLimit(64 << 10)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	out := c.hub.join(id)
	defer c.hub.leave(id, out)
	go func() {
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-out:
				if err := wsjson.Write(ctx, conn, m); err != nil {
					return
				}
			}
		}
	}()
	var lastTyping time.Time
	for {
		var in wsIn
		if err := wsjson.Read(ctx, conn, &in); err != nil {
			if websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				conn.Close(websocket.StatusUnsupportedData, "bad message")
			}
			return
		}
		switch in.Type {
		case "message":
			l, _, apiErr := c.visitorWrote(ctx, id, in.Text, nil)
			if apiErr != nil {
				_ = wsjson.Write(ctx, conn, map[string]any{"type": "error", "error": apiErr})
				continue
			}
			_ = wsjson.Write(ctx, conn, wsOut{Type: "sent", Line: &l})
		case "typing":
			// One typing event per few seconds is all an operator needs.
			if time.Since(lastTyping) < 3*time.Second {
				continue
			}
			lastTyping = time.Now()
			if _, j, err := c.state(); err == nil {
				_, _ = j.Append(ctx, sdk.Event{ChatID: id, OccurredAt: lastTyping, Typing: &sdk.Typing{From: sdk.Contact{ExternalID: id}}})
			}
		}
	}
}
