package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"switchboard/plugins/sdk"
)

// The update types hold only what the connector reads
// (https://dev.vk.com/ru/api/bots-long-poll/getting-started, objects of
// https://dev.vk.com/ru/reference/objects); everything else is ignored, so
// a field VK adds cannot make an update unreadable.

type vkUpdate struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

type vkSize struct {
	Type   string `json:"type"`
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type vkAttachment struct {
	Type  string `json:"type"`
	Photo *struct {
		Sizes []vkSize `json:"sizes"`
	} `json:"photo"`
	Doc *struct {
		Title string `json:"title"`
		Ext   string `json:"ext"`
		URL   string `json:"url"`
		Size  int64  `json:"size"`
	} `json:"doc"`
	AudioMessage *struct {
		LinkOgg string `json:"link_ogg"`
		LinkMp3 string `json:"link_mp3"`
	} `json:"audio_message"`
	Sticker *struct {
		Images []vkSize `json:"images"`
	} `json:"sticker"`
	Graffiti *struct {
		URL string `json:"url"`
	} `json:"graffiti"`
	Video *struct {
		ID      int64 `json:"id"`
		OwnerID int64 `json:"owner_id"`
	} `json:"video"`
	Link *struct {
		URL string `json:"url"`
	} `json:"link"`
}

type vkMessage struct {
	ID           int64          `json:"id"`
	Date         int64          `json:"date"`
	PeerID       int64          `json:"peer_id"`
	FromID       int64          `json:"from_id"`
	Out          int            `json:"out"`
	Text         string         `json:"text"`
	Attachments  []vkAttachment `json:"attachments"`
	ReplyMessage *struct {
		ID int64 `json:"id"`
	} `json:"reply_message"`
	UpdateTime int64 `json:"update_time"`
}

// chatsFrom is where VK numbers group chats; the connector answers
// private dialogs only, as a support line does.
const chatsFrom = 2_000_000_000

func private(peer int64) bool { return peer > 0 && peer < chatsFrom }

func unix(n int64) time.Time {
	if n <= 0 {
		return time.Now().UTC()
	}
	return time.Unix(n, 0).UTC()
}

// eventOf turns an update into an event; nil for updates the connector
// does not pass on (its own messages, group chats, other types).
func (c *connector) eventOf(ctx context.Context, a *api, h sdk.Host, u *vkUpdate) (*sdk.Event, error) {
	switch u.Type {
	case "message_new":
		var o struct {
			Message vkMessage `json:"message"`
		}
		if err := json.Unmarshal(u.Object, &o); err != nil {
			return nil, fmt.Errorf("message_new: %w", err)
		}
		m := &o.Message
		if !private(m.PeerID) || m.Out == 1 || m.FromID != m.PeerID {
			return nil, nil
		}
		from, err := c.profile(ctx, a, h, m.FromID)
		if err != nil {
			return nil, err
		}
		msg := &sdk.Message{ExternalID: strconv.FormatInt(m.ID, 10), From: from, Text: m.Text}
		if m.ReplyMessage != nil && m.ReplyMessage.ID != 0 {
			msg.ReplyToExternalID = strconv.FormatInt(m.ReplyMessage.ID, 10)
		}
		var notes []string
		for i := range m.Attachments {
			att, note, err := c.attachment(ctx, a, h, &m.Attachments[i])
			if err != nil {
				return nil, err
			}
			if att != nil {
				msg.Attachments = append(msg.Attachments, *att)
			}
			if note != "" {
				notes = append(notes, note)
			}
		}
		if len(notes) > 0 {
			msg.Text = strings.TrimLeft(msg.Text+"\n"+strings.Join(notes, "\n"), "\n")
		}
		if msg.Text == "" && len(msg.Attachments) == 0 {
			return nil, nil
		}
		return &sdk.Event{ChatID: strconv.FormatInt(m.PeerID, 10), OccurredAt: unix(m.Date), Message: msg}, nil
	case "message_edit":
		var m vkMessage
		if err := json.Unmarshal(u.Object, &m); err != nil {
			return nil, fmt.Errorf("message_edit: %w", err)
		}
		if !private(m.PeerID) || m.Out == 1 {
			return nil, nil
		}
		return &sdk.Event{ChatID: strconv.FormatInt(m.PeerID, 10), OccurredAt: unix(m.UpdateTime),
			Edit: &sdk.Edit{ExternalID: strconv.FormatInt(m.ID, 10), Text: m.Text}}, nil
	case "message_read":
		var o struct {
			PeerID        int64 `json:"peer_id"`
			ReadMessageID int64 `json:"read_message_id"`
		}
		if err := json.Unmarshal(u.Object, &o); err != nil {
			return nil, fmt.Errorf("message_read: %w", err)
		}
		if !private(o.PeerID) {
			return nil, nil
		}
		return &sdk.Event{ChatID: strconv.FormatInt(o.PeerID, 10), OccurredAt: time.Now().UTC(),
			Delivery: &sdk.Delivery{ExternalID: strconv.FormatInt(o.ReadMessageID, 10), State: sdk.DeliveryRead}}, nil
	case "message_typing_state":
		var o struct {
			State  string `json:"state"`
			FromID int64  `json:"from_id"`
		}
		if err := json.Unmarshal(u.Object, &o); err != nil {
			return nil, fmt.Errorf("message_typing_state: %w", err)
		}
		if o.State != "typing" || !private(o.FromID) {
			return nil, nil
		}
		return &sdk.Event{ChatID: strconv.FormatInt(o.FromID, 10), OccurredAt: time.Now().UTC(),
			Typing: &sdk.Typing{From: sdk.Contact{ExternalID: strconv.FormatInt(o.FromID, 10)}}}, nil
	case "message_allow", "message_deny":
		var o struct {
			UserID int64  `json:"user_id"`
			Key    string `json:"key"`
		}
		if err := json.Unmarshal(u.Object, &o); err != nil {
			return nil, fmt.Errorf("%s: %w", u.Type, err)
		}
		if !private(o.UserID) {
			return nil, nil
		}
		action := &sdk.Action{Contact: sdk.Contact{ExternalID: strconv.FormatInt(o.UserID, 10)}, Action: "messages_allowed"}
		if u.Type == "message_deny" {
			action.Action = "messages_denied"
		} else if o.Key != "" {
			action.Details = map[string]string{"key": o.Key}
		}
		return &sdk.Event{ChatID: strconv.FormatInt(o.UserID, 10), OccurredAt: time.Now().UTC(), Action: action}, nil
	}
	return nil, nil
}

// maxDownload bounds a customer's file; VK documents go to 200 MB, the
// connector keeps files up to 50 MB and links the rest.
const maxDownload = 50 << 20

// largest is the biggest of VK's sizes of a picture.
func largest(sizes []vkSize) string {
	best, area := "", -1
	order := "smxopqryzw" // the reference's size letters, small to large
	for _, s := range sizes {
		a := s.Width * s.Height
		if a == 0 {
			a = strings.IndexByte(order, firstByte(s.Type))
		}
		if a > area && s.URL != "" {
			best, area = s.URL, a
		}
	}
	return best
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// attachment downloads a file into a blob, or describes in a line of
// text what VK gives no file for (video, links).
func (c *connector) attachment(ctx context.Context, a *api, h sdk.Host, v *vkAttachment) (*sdk.Attachment, string, error) {
	var u, name, mt string
	switch {
	case v.Photo != nil:
		u, name, mt = largest(v.Photo.Sizes), "photo.jpg", "image/jpeg"
	case v.Doc != nil:
		if v.Doc.Size > maxDownload {
			return nil, "📎 " + v.Doc.Title + " " + v.Doc.URL, nil
		}
		u, name = v.Doc.URL, v.Doc.Title
		if ext := "." + strings.ToLower(v.Doc.Ext); v.Doc.Ext != "" && !strings.HasSuffix(strings.ToLower(name), ext) {
			name += ext
		}
		mt = mime.TypeByExtension(path.Ext(name))
	case v.AudioMessage != nil:
		u, name, mt = v.AudioMessage.LinkOgg, "voice.ogg", "audio/ogg"
		if u == "" {
			u, name, mt = v.AudioMessage.LinkMp3, "voice.mp3", "audio/mpeg"
		}
	case v.Sticker != nil:
		u, name, mt = largest(v.Sticker.Images), "sticker.png", "image/png"
	case v.Graffiti != nil:
		u, name, mt = v.Graffiti.URL, "graffiti.png", "image/png"
	case v.Video != nil:
		return nil, fmt.Sprintf("🎬 https://vk.com/video%d_%d", v.Video.OwnerID, v.Video.ID), nil
	case v.Link != nil:
		return nil, "🔗 " + v.Link.URL, nil
	default:
		return nil, "[" + v.Type + "]", nil
	}
	if u == "" {
		return nil, "[" + v.Type + "]", nil
	}
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") {
		return nil, "[" + v.Type + "]", nil
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	data, err := a.get(ctx, "download "+v.Type, u, maxDownload)
	var ae *apiError
	switch {
	case err == nil:
	case codeOf(err) == "attachment_too_large":
		return nil, "📎 " + name + " " + u, nil
	case errors.As(err, &ae) && ae.status >= 400 && ae.status < 500:
		// VK's file server refuses it for good: the message is kept,
		// saying what is missing, rather than stalling the poll.
		c.log(ctx, sdk.LogWarn, "a customer's file could not be fetched; the message is stored without it",
			map[string]string{"type": v.Type, "status": strconv.Itoa(ae.status)})
		return nil, "[" + v.Type + " not available from VK]", nil
	default:
		return nil, "", err
	}
	id, err := h.BlobPut(ctx, sdk.Blob{Name: name, MIMEType: mt, Data: data})
	if err != nil {
		return nil, "", fmt.Errorf("store %s: %w", v.Type, err)
	}
	return &sdk.Attachment{Name: name, MIMEType: mt, Size: int64(len(data)), BlobID: id}, "", nil
}

// profileRecord is a customer's profile as last looked up.
type profileRecord struct {
	Name     string `json:"name"`
	Username string `json:"username"`
	Avatar   string `json:"avatar"` // blob id
	Photo    string `json:"photo"`  // the photo_200 URL the blob came from
	At       int64  `json:"at"`
}

// profileTTL is how long a looked-up profile is used before users.get
// is asked again.
const profileTTL = 24 * time.Hour

// profile returns the customer's name, screen name and avatar, from
// users.get at most once a day.
func (c *connector) profile(ctx context.Context, a *api, h sdk.Host, id int64) (sdk.Contact, error) {
	key := "profile/" + strconv.FormatInt(id, 10)
	var rec profileRecord
	raw, found, err := h.StateGet(ctx, key)
	if err != nil {
		return sdk.Contact{}, err
	}
	if found {
		_ = json.Unmarshal(raw, &rec)
	}
	if !found || time.Since(time.Unix(rec.At, 0)) > profileTTL {
		var users []struct {
			FirstName  string `json:"first_name"`
			LastName   string `json:"last_name"`
			ScreenName string `json:"screen_name"`
			Photo200   string `json:"photo_200"`
		}
		err := a.call(ctx, "users.get", url.Values{"user_ids": {strconv.FormatInt(id, 10)}, "fields": {"screen_name,photo_200"}}, &users)
		switch {
		case err != nil && found:
			c.log(ctx, sdk.LogWarn, "users.get failed; the stored profile is used", map[string]string{"code": codeOf(err)})
		case err != nil && errors.As(err, new(*apiError)) && codeOf(err) != "channel_unreachable" && codeOf(err) != "channel_unavailable" && codeOf(err) != "rate_limited":
			// VK refuses this user's profile (deleted, banned): the
			// message goes on with the id alone.
			c.log(ctx, sdk.LogWarn, "users.get refused; the message goes on without a profile", map[string]string{"code": codeOf(err)})
		case err != nil:
			return sdk.Contact{}, err
		case len(users) > 0:
			u := users[0]
			rec.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
			rec.Username = u.ScreenName
			if u.Photo200 != "" && u.Photo200 != rec.Photo && !strings.Contains(u.Photo200, "camera_200") {
				if data, err := a.get(ctx, "avatar", u.Photo200, 5<<20); err == nil {
					if bid, err := h.BlobPut(ctx, sdk.Blob{Name: "avatar.jpg", MIMEType: "image/jpeg", Data: data}); err == nil {
						rec.Avatar, rec.Photo = bid, u.Photo200
					}
				}
			}
			rec.At = time.Now().Unix()
			raw, _ := json.Marshal(rec)
			if err := h.StatePut(ctx, key, raw); err != nil {
				return sdk.Contact{}, err
			}
		}
	}
	return sdk.Contact{ExternalID: strconv.FormatInt(id, 10), DisplayName: rec.Name, Username: rec.Username, AvatarBlobID: rec.Avatar}, nil
}
