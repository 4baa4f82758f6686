package app

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// Outgoing starts the dialogs an operator writes first: with a known
// client on one of its channels (from the Closed tab or the client card),
// or with a phone number on a channel that can start dialogs by phone.
type Outgoing struct{ c *core }

// ClientChannels returns the channels the operator may write first to the
// client on: the client's contacts' channels whose line the operator
// works (any, for those who manage dialogs), each with the client's open
// dialog there, if any.
func (s *Outgoing) ClientChannels(clientID string) ([]ChannelChoice, error) {
	ctx := context.Background()
	rp, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return nil, err
	}
	card, err := rp.Client(ctx, clientID)
	if err != nil {
		return nil, notFound(err)
	}
	dialogs, err := rp.AllClientDialogs(ctx, clientID)
	if err != nil {
		return nil, toUI(err)
	}
	out := []ChannelChoice{}
	for _, k := range card.Client.Contacts {
		ch := startable(org, me, k.ChannelID)
		if ch == nil || slices.ContainsFunc(out, func(c ChannelChoice) bool { return c.ID == ch.ID }) {
			continue
		}
		c := channelChoice(org, ch)
		for _, d := range dialogs {
			if d.ChannelID == ch.ID && d.Status.Open() {
				c.OpenDialogID = d.ID
				break
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// PhoneChannels returns the channels the operator may start a dialog on by
// phone number.
func (s *Outgoing) PhoneChannels() ([]ChannelChoice, error) {
	ctx := context.Background()
	_, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return nil, err
	}
	out := []ChannelChoice{}
	for id, ch := range org.Channels {
		if ch.Capabilities.StartByPhone && startable(org, me, id) != nil {
			out = append(out, channelChoice(org, ch))
		}
	}
	slices.SortFunc(out, func(a, b ChannelChoice) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// startable returns the channel if the operator may start dialogs on it.
func startable(org *inbox.Org, me, channelID string) *inbox.Channel {
	ch := org.Channels[channelID]
	if ch == nil || ch.State == inbox.ChannelDisabled {
		return nil
	}
	if l := org.Lines[ch.LineID]; l == nil || l.Archived {
		return nil
	}
	if !org.WorksLine(me, ch.LineID) && !org.Can(me, inbox.PermDialogsManage) {
		return nil
	}
	return ch
}

func channelChoice(org *inbox.Org, ch *inbox.Channel) ChannelChoice {
	c := ChannelChoice{ID: ch.ID, Name: ch.Name, Kind: string(ch.Kind)}
	if l := org.Lines[ch.LineID]; l != nil {
		c.LineName = l.Name
	}
	return c
}

// CheckPhone asks the channel, through the team server, whether the number
// can be written to; it needs the connection. A client the replica knows
// with that number is named, so the dialog goes to them.
func (s *Outgoing) CheckPhone(channelID, phone string) (PhoneCheck, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return PhoneCheck{}, err
	}
	if strings.TrimSpace(phone) == "" {
		return PhoneCheck{}, uiError(CodePhoneEmpty, "", nil)
	}
	api, err := s.c.admin(ctx)
	if err != nil {
		return PhoneCheck{}, err
	}
	res, err := api.CheckContact(ctx, channelID, phone)
	if err != nil {
		return PhoneCheck{}, toUI(err)
	}
	out := PhoneCheck{Reachable: res.Reachable, ChatID: res.ChatID}
	if res.ChatID != "" {
		if out.ClientID, out.ClientName, err = rp.ClientByContact(ctx, channelID, res.ChatID); err != nil {
			return PhoneCheck{}, toUI(err)
		}
	}
	return out, nil
}

// Start writes first to a known client on one of its channels and returns
// the new dialog's id; the dialog is in the operator's Mine at once.
func (s *Outgoing) Start(clientID, channelID, text string) (string, error) {
	return s.start(outgoingStart{clientID: clientID, channelID: channelID, text: text})
}

// StartByPhone writes first to a phone number the channel's check said is
// reachable (chatID, from CheckPhone): to the client who has that number,
// or to a new client named name. It returns the new dialog's id.
func (s *Outgoing) StartByPhone(channelID, chatID, phone, name, text string) (string, error) {
	if chatID == "" {
		return "", uiError(CodePhoneEmpty, "", nil)
	}
	if utf8.RuneCountInString(name) > 200 {
		return "", uiError(CodeBadInput, "name too long", nil)
	}
	return s.start(outgoingStart{channelID: channelID, text: text, contact: &inbox.InboundContact{
		ExternalID: chatID, Handle: strings.TrimSpace(phone), Name: strings.TrimSpace(name)}})
}

type outgoingStart struct {
	clientID, channelID, text string
	contact                   *inbox.InboundContact // starting by phone
}

// startPayload is dialog.start's payload (inbox.StartDialog).
type startPayload struct {
	DialogID  string                `json:"dialogId"`
	ClientID  string                `json:"clientId"`
	ChannelID string                `json:"channelId"`
	MessageID string                `json:"messageId"`
	Text      string                `json:"text"`
	Contact   *inbox.InboundContact `json:"contact,omitempty"`
}

func (s *Outgoing) start(in outgoingStart) (string, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(in.text) == "" {
		return "", uiError(CodeEmptyMessage, "", nil)
	}
	if utf8.RuneCountInString(in.text) > inbox.MaxTextRunes || !utf8.ValidString(in.text) {
		return "", uiError(CodeBadInput, "message too long or not text", nil)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return "", toUI(err)
	}
	ch := startable(org, me, in.channelID)
	if ch == nil {
		return "", uiError(CodeBadInput, "not a channel you may start dialogs on", nil)
	}
	now := time.Now().UTC()
	var opt replica.Optimistic
	if in.contact != nil {
		id, _, err := rp.ClientByContact(ctx, ch.ID, in.contact.ExternalID)
		if err != nil {
			return "", toUI(err)
		}
		if in.clientID = id; id == "" {
			in.clientID = newID()
			name := in.contact.Name
			if name == "" {
				name = in.contact.Handle
			}
			opt.Client = &inbox.Client{ID: in.clientID, OriginalName: name, CreatedAt: now, ModifiedAt: now,
				Contacts: []inbox.Contact{{ChannelID: ch.ID, Kind: ch.Kind, ExternalID: in.contact.ExternalID, Handle: in.contact.Handle}}}
		}
	}
	if opt.Client == nil {
		card, err := rp.Client(ctx, in.clientID)
		if err != nil {
			return "", notFound(err)
		}
		if card.Client.Blacklisted {
			return "", uiError(CodeClientBlacklisted, "", nil)
		}
	}
	d := &inbox.Dialog{ID: newID(), ClientID: in.clientID, ChannelID: ch.ID, LineID: ch.LineID, Status: inbox.StatusInProgress,
		Detailed: inbox.DetOperatorAnswered, AssigneeID: me, Outgoing: true, CreatedAt: now, StartedAt: now, FirstAnswerAt: now,
		LastOperatorMessageAt: now, LastMessageAt: now, ModifiedAt: now, LastMessageText: inbox.MessagePreview(in.text, nil), LastMessageFromTeam: true}
	m := &inbox.Message{ID: newID(), DialogID: d.ID, ClientID: d.ClientID, ChannelID: ch.ID, Kind: inbox.MsgOutbound,
		AuthorID: me, Text: in.text, Delivery: inbox.DeliveryPending, CreatedAt: now}
	d.LastMessageID = m.ID
	opt.Dialog, opt.Message = d, m
	payload := startPayload{DialogID: d.ID, ClientID: d.ClientID, ChannelID: ch.ID, MessageID: m.ID, Text: in.text, Contact: in.contact}
	if err := s.c.enqueue(ctx, rp, "dialog.start", payload, d.ID, opt); err != nil {
		return "", err
	}
	return d.ID, nil
}
