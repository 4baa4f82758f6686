package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/emersion/go-message/mail"

	"switchboard/plugins/sdk"
)

// A chat is one conversation thread with a customer, kept in host state:
//
//	chat/<id>         the chat (below)
//	mid/<hash>        a Message-ID of the thread (theirs or ours) -> chat id
//	subj/<hash>       sender + normalised subject -> chat id
//
// A mail joins the chat of the first Message-ID it refers to (In-Reply-To,
// then References from the newest), else the chat of the same sender and
// subject, else it starts a chat whose id derives from its Message-ID.
type chat struct {
	ID       string   `json:"id"`
	Customer person   `json:"customer"` // replies go to them
	Others   []person `json:"others"`   // Cc'd on replies
	Subject  string   `json:"subject"`
	Root     string   `json:"root"` // the first Message-ID, the thread id
	Refs     []string `json:"refs"` // Message-IDs of the thread, oldest first
}

type person struct {
	Addr string `json:"addr"`
	Name string `json:"name,omitempty"`
}

// maxRefs bounds the References a reply carries (RFC 5322 lets a client
// shorten the list; the root and the newest matter).
const maxRefs = 20

// maxOthers bounds the people Cc'd on a thread.
const maxOthers = 20

func hashed(prefix, s string) string {
	sum := sha256.Sum256([]byte(s))
	return prefix + hex.EncodeToString(sum[:16])
}

func chatIDFor(root string) string {
	sum := sha256.Sum256([]byte(root))
	return "mail-" + hex.EncodeToString(sum[:10])
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|wg|sv|vs|odp|tr|rv|ответ|отв|пересл|відп|вiдп)(\s*\[\d+\])?\s*:\s*)+`)

// normSubject strips reply and forward prefixes and folds case and space.
func normSubject(s string) string {
	s = replyPrefix.ReplaceAllString(s, "")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func subjectKey(addr, subject string) string {
	return hashed("subj/", strings.ToLower(addr)+"\n"+normSubject(subject))
}

func loadChat(ctx context.Context, h sdk.Host, id string) (chat, bool, error) {
	raw, ok, err := h.StateGet(ctx, "chat/"+id)
	if err != nil || !ok {
		return chat{}, false, err
	}
	var c chat
	if err := json.Unmarshal(raw, &c); err != nil {
		return chat{}, false, fmt.Errorf("chat %s: %w", id, err)
	}
	return c, true, nil
}

func saveChat(ctx context.Context, h sdk.Host, c chat) error {
	if len(c.Refs) > maxRefs {
		c.Refs = append([]string{c.Refs[0]}, c.Refs[len(c.Refs)-maxRefs+1:]...)
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return h.StatePut(ctx, "chat/"+c.ID, raw)
}

// chatOfMessageID finds the chat a Message-ID belongs to.
func chatOfMessageID(ctx context.Context, h sdk.Host, id string) (string, bool, error) {
	if id == "" {
		return "", false, nil
	}
	v, ok, err := h.StateGet(ctx, hashed("mid/", id))
	return string(v), ok, err
}

// threadOf finds or starts the chat of an inbound mail and records the
// mail in it. own is the mailbox's address, left out of the participants.
func threadOf(ctx context.Context, h sdk.Host, p *parsedMail, own string, fallbackID string) (chat, error) {
	id := p.MessageID
	if id == "" {
		id = fallbackID
	}
	// Known ids, newest reference first.
	refs := append([]string(nil), p.InReplyTo...)
	for i := len(p.References) - 1; i >= 0; i-- {
		refs = append(refs, p.References[i])
	}
	refs = append(refs, id) // the same mail seen again
	var chatID string
	for _, r := range refs {
		cid, ok, err := chatOfMessageID(ctx, h, r)
		if err != nil {
			return chat{}, err
		}
		if ok {
			chatID = cid
			break
		}
	}
	sender := replyAddress(p)
	if chatID == "" && normSubject(p.Subject) != "" && sender != nil {
		v, ok, err := h.StateGet(ctx, subjectKey(sender.Address, p.Subject))
		if err != nil {
			return chat{}, err
		}
		if ok {
			chatID = string(v)
		}
	}
	var c chat
	if chatID != "" {
		var ok bool
		var err error
		if c, ok, err = loadChat(ctx, h, chatID); err != nil {
			return chat{}, err
		} else if !ok {
			chatID = ""
		}
	}
	if chatID == "" {
		c = chat{ID: chatIDFor(id), Root: id, Subject: p.Subject}
		if sender != nil {
			c.Customer = person{Addr: strings.ToLower(sender.Address), Name: sender.Name}
		}
	}
	if c.Subject == "" {
		c.Subject = p.Subject
	}
	// Everyone addressed, besides us and the customer, is Cc'd on replies.
	everyone := append(append([]*mail.Address{}, p.To...), p.Cc...)
	if p.From != nil {
		everyone = append(everyone, p.From)
	}
	for _, a := range everyone {
		c.addOther(a, own)
	}
	if !containsFold(c.Refs, id) {
		c.Refs = append(c.Refs, id)
	}
	if err := recordInThread(ctx, h, c, id); err != nil {
		return chat{}, err
	}
	if sender != nil && normSubject(p.Subject) != "" {
		if err := h.StatePut(ctx, subjectKey(sender.Address, p.Subject), []byte(c.ID)); err != nil {
			return chat{}, err
		}
	}
	return c, nil
}

// recordInThread saves the chat and files a Message-ID under it.
func recordInThread(ctx context.Context, h sdk.Host, c chat, messageID string) error {
	if err := saveChat(ctx, h, c); err != nil {
		return err
	}
	return h.StatePut(ctx, hashed("mid/", messageID), []byte(c.ID))
}

func (c *chat) addOther(a *mail.Address, own string) {
	addr := strings.ToLower(a.Address)
	if addr == "" || strings.EqualFold(addr, own) || addr == c.Customer.Addr || len(c.Others) >= maxOthers {
		return
	}
	for _, o := range c.Others {
		if o.Addr == addr {
			return
		}
	}
	c.Others = append(c.Others, person{Addr: addr, Name: a.Name})
}

// replyAddress is where an answer to the mail goes.
func replyAddress(p *parsedMail) *mail.Address {
	if len(p.ReplyTo) > 0 {
		return p.ReplyTo[0]
	}
	return p.From
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
