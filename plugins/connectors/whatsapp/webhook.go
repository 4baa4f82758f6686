package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"switchboard/plugins/sdk"
)

// webhookPath is where Meta sends notifications: the callback URL is the
// public address in front of the listen address, plus this path.
const webhookPath = "/webhook"

// maxNotification bounds a notification's body; Meta's are kilobytes.
const maxNotification = 4 << 20

func (c *connector) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+webhookPath, c.handleVerify)
	mux.HandleFunc("POST "+webhookPath, c.handleNotification)
	return mux
}

// handleVerify answers Meta's check of the callback URL: hub.mode
// "subscribe" with the verify token the admin typed in both places gets
// hub.challenge back; anything else is refused with 403.
func (c *connector) handleVerify(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	want := c.cfg.VerifyToken
	h := c.host
	c.mu.Unlock()
	q := r.URL.Query()
	if want == "" || q.Get("hub.mode") != "subscribe" ||
		subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(want)) != 1 {
		if h != nil {
			h.Log(r.Context(), sdk.LogWarn, "a webhook verification with a wrong verify token was refused", map[string]string{"remote": r.RemoteAddr})
		}
		http.Error(w, "verification refused", http.StatusForbidden)
		return
	}
	challenge := q.Get("hub.challenge")
	if challenge == "" || len(challenge) > 256 {
		http.Error(w, "hub.challenge missing", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, challenge)
}

// validSignature checks X-Hub-Signature-256: "sha256=" and the hex
// HMAC-SHA256 of the raw body keyed with the app secret.
func validSignature(secret string, body []byte, header string) bool {
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// handleNotification stores a notification's events in the journal before
// answering 200. Until Meta hears 200 it sends the notification again
// (for days), so anything that goes wrong here — the host away, a file
// that did not download — is answered 503 and retried; events stored
// from an earlier attempt are recognised and not stored twice.
func (c *connector) handleNotification(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	h, j, g, cfg := c.host, c.journal, c.g, c.cfg
	c.mu.Unlock()
	if j == nil {
		http.Error(w, "not configured", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxNotification))
	if err != nil {
		http.Error(w, "notification too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !validSignature(cfg.AppSecret, body, r.Header.Get("X-Hub-Signature-256")) {
		h.Log(r.Context(), sdk.LogWarn, "a notification without a valid X-Hub-Signature-256 was refused",
			map[string]string{"remote": r.RemoteAddr, "has_signature": strconv.FormatBool(r.Header.Get("X-Hub-Signature-256") != "")})
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil {
		// Signed by Meta yet unreadable: retrying cannot help.
		h.Log(r.Context(), sdk.LogError, "a signed notification is not JSON; it is dropped", map[string]string{"bytes": strconv.Itoa(len(body))})
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	stored, err := c.store(ctx, h, j, g, cfg, &n)
	if err != nil {
		fields := map[string]string{"stored": strconv.Itoa(stored), "code": codeOf(err)}
		if fields["code"] == "" {
			fields["error"] = err.Error() // ours or the host's; names no customer content
		}
		h.Log(ctx, sdk.LogWarn, "a notification could not be stored whole; Meta will send it again", fields)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	h.Log(ctx, sdk.LogDebug, "notification", map[string]string{"events": strconv.Itoa(stored)})
	w.WriteHeader(http.StatusOK)
}

// seenKey is the state key marking a notification item stored.
func seenKey(id string) string { return "seen/" + id }

// store appends the events of a notification's changes for this phone
// number. The inbound lock makes "not seen yet, append, mark seen" one
// step for concurrent deliveries of the same notification.
func (c *connector) store(ctx context.Context, h sdk.Host, j *sdk.Journal, g *graph, cfg settings, n *notification) (int, error) {
	if n.Object != "whatsapp_business_account" {
		return 0, nil
	}
	c.inbound.Lock()
	defer c.inbound.Unlock()
	stored := 0
	put := func(id string, ev *sdk.Event) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := j.Append(ctx, *ev); err != nil {
			return err
		}
		stored++
		return h.StatePut(ctx, seenKey(id), []byte(strconv.FormatInt(time.Now().Unix(), 10)))
	}
	seen := func(id string) (bool, error) {
		_, ok, err := h.StateGet(ctx, seenKey(id))
		return ok, err
	}
	for _, e := range n.Entry {
		for _, ch := range e.Changes {
			v := &ch.Value
			if ch.Field != "messages" || v.Metadata.PhoneNumberID != cfg.PhoneNumberID {
				continue // another field, or another number of the same account
			}
			for _, we := range v.Errors {
				h.Log(ctx, sdk.LogWarn, "WhatsApp reported an error", map[string]string{"code": strconv.Itoa(we.Code), "title": we.Title})
			}
			names := map[string]string{}
			for _, ct := range v.Contacts {
				names[ct.WaID] = ct.Profile.Name
			}
			for i := range v.Messages {
				m := &v.Messages[i]
				if m.ID == "" || m.From == "" {
					continue
				}
				if ok, err := seen(m.ID); err != nil || ok {
					if err != nil {
						return stored, err
					}
					continue
				}
				ev, err := c.messageEvent(ctx, g, h, m, names[m.From])
				if err != nil {
					return stored, fmt.Errorf("message %s (%s): %w", m.ID, m.Type, err)
				}
				if err := c.openWindow(ctx, h, m.From, unixTime(m.Timestamp)); err != nil {
					return stored, err
				}
				if ev == nil {
					h.Log(ctx, sdk.LogDebug, "a message kind the connector does not pass on", map[string]string{"type": m.Type})
					continue
				}
				if err := put(m.ID, ev); err != nil {
					return stored, err
				}
			}
			for i := range v.Statuses {
				s := &v.Statuses[i]
				id := s.ID + "/" + s.Status
				if ok, err := seen(id); err != nil || ok {
					if err != nil {
						return stored, err
					}
					continue
				}
				ev := statusEvent(s)
				if ev == nil {
					continue
				}
				if err := c.noteDelivery(ctx, h, s); err != nil {
					return stored, err
				}
				if err := put(id, ev); err != nil {
					return stored, err
				}
			}
		}
	}
	return stored, nil
}

// noteDelivery remembers numbers WhatsApp could not deliver to (131026),
// so CheckContact can say so, and forgets them once a message arrives.
func (c *connector) noteDelivery(ctx context.Context, h sdk.Host, s *waStatus) error {
	key := "undeliverable/" + s.RecipientID
	switch {
	case s.Status == "failed" && len(s.Errors) > 0 && s.Errors[0].Code == 131026:
		return h.StatePut(ctx, key, []byte(s.Timestamp))
	case s.Status == "delivered" || s.Status == "read":
		return h.StateDelete(ctx, key)
	}
	return nil
}

// windowKey holds when the customer last wrote: the customer service
// window runs 24 hours from it.
func windowKey(waID string) string { return "window/" + waID }

func (c *connector) openWindow(ctx context.Context, h sdk.Host, waID string, at time.Time) error {
	last, err := lastMessage(ctx, h, waID)
	if err != nil || !at.After(last) {
		return err
	}
	if err := h.StatePut(ctx, windowKey(waID), []byte(strconv.FormatInt(at.Unix(), 10))); err != nil {
		return err
	}
	return h.StateDelete(ctx, "undeliverable/"+waID)
}

// lastMessage is when the customer last wrote; zero if never.
func lastMessage(ctx context.Context, h sdk.Host, waID string) (time.Time, error) {
	raw, ok, err := h.StateGet(ctx, windowKey(waID))
	if err != nil || !ok {
		return time.Time{}, err
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, errors.New("window record " + waID + " is not a time")
	}
	return time.Unix(n, 0), nil
}

// seenRetention is how long a stored item is remembered: Meta retries a
// notification for up to 7 days.
const seenRetention = 8 * 24 * time.Hour

// pruneSeen forgets items stored longer ago than Meta retries.
func pruneSeen(ctx context.Context, h sdk.Host) error {
	keys, err := h.StateList(ctx, "seen/")
	if err != nil {
		return err
	}
	cutoff := time.Now().Add(-seenRetention).Unix()
	for _, k := range keys {
		raw, ok, err := h.StateGet(ctx, k)
		if err != nil {
			return err
		}
		if n, perr := strconv.ParseInt(string(raw), 10, 64); ok && perr == nil && n < cutoff {
			if err := h.StateDelete(ctx, k); err != nil {
				return err
			}
		}
	}
	return nil
}
