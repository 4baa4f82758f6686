package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot"

	"switchboard/plugins/sdk"
)

// The update types below hold only what the connector reads; everything
// else in an update is ignored, so a field Telegram adds or reshapes
// cannot make an update unreadable.

type tgUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

type tgChat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

type tgPhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	FileSize     int64  `json:"file_size"`
}

// tgFile is a Document, Audio, Video, Voice, Animation or VideoNote.
type tgFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name"`
	MimeType     string `json:"mime_type"`
	FileSize     int64  `json:"file_size"`
}

type tgSticker struct {
	FileID       string       `json:"file_id"`
	FileUniqueID string       `json:"file_unique_id"`
	IsAnimated   bool         `json:"is_animated"`
	IsVideo      bool         `json:"is_video"`
	Thumbnail    *tgPhotoSize `json:"thumbnail"`
	Emoji        string       `json:"emoji"`
	FileSize     int64        `json:"file_size"`
}

type tgMessage struct {
	MessageID            int     `json:"message_id"`
	BusinessConnectionID string  `json:"business_connection_id"`
	From                 *tgUser `json:"from"`
	Chat                 tgChat  `json:"chat"`
	Date                 int64   `json:"date"`
	EditDate             int64   `json:"edit_date"`
	ReplyToMessage       *struct {
		MessageID int `json:"message_id"`
	} `json:"reply_to_message"`
	Text      string        `json:"text"`
	Caption   string        `json:"caption"`
	Photo     []tgPhotoSize `json:"photo"`
	Document  *tgFile       `json:"document"`
	Audio     *tgFile       `json:"audio"`
	Video     *tgFile       `json:"video"`
	Voice     *tgFile       `json:"voice"`
	Animation *tgFile       `json:"animation"`
	VideoNote *tgFile       `json:"video_note"`
	Sticker   *tgSticker    `json:"sticker"`
	Location  *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	} `json:"location"`
	Contact *struct {
		PhoneNumber string `json:"phone_number"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
	} `json:"contact"`
	// Content the inbox cannot show; only its presence matters.
	Poll  json.RawMessage `json:"poll"`
	Dice  json.RawMessage `json:"dice"`
	Game  json.RawMessage `json:"game"`
	Story json.RawMessage `json:"story"`
}

type tgUpdate struct {
	UpdateID                int64      `json:"update_id"`
	Message                 *tgMessage `json:"message"`
	EditedMessage           *tgMessage `json:"edited_message"`
	BusinessMessage         *tgMessage `json:"business_message"`
	EditedBusinessMessage   *tgMessage `json:"edited_business_message"`
	DeletedBusinessMessages *struct {
		BusinessConnectionID string `json:"business_connection_id"`
		Chat                 tgChat `json:"chat"`
		MessageIDs           []int  `json:"message_ids"`
	} `json:"deleted_business_messages"`
	MyChatMember *struct {
		Chat          tgChat `json:"chat"`
		From          tgUser `json:"from"`
		Date          int64  `json:"date"`
		NewChatMember struct {
			Status string `json:"status"`
		} `json:"new_chat_member"`
	} `json:"my_chat_member"`
}

// kind names an update for logs (never its content).
func (u *tgUpdate) kind() string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.BusinessMessage != nil:
		return "business_message"
	case u.EditedBusinessMessage != nil:
		return "edited_business_message"
	case u.DeletedBusinessMessages != nil:
		return "deleted_business_messages"
	case u.MyChatMember != nil:
		return "my_chat_member"
	}
	return "other"
}

// Chat and message ids. A chat of the bot is the user's id; a chat of a
// Telegram Business account the bot serves is "<id>@<connection>". Telegram
// numbers messages per chat, so a message's external id is
// "<chat>:<message_id>", unique on the channel.

func chatRef(business string, id int64) string {
	if business != "" {
		return strconv.FormatInt(id, 10) + "@" + business
	}
	return strconv.FormatInt(id, 10)
}

func messageRef(chat string, id int) string { return chat + ":" + strconv.Itoa(id) }

// parseChat splits a chat ref into the chat id and business connection.
func parseChat(ref string) (id int64, business string, err error) {
	idText, business, _ := strings.Cut(ref, "@")
	id, err = strconv.ParseInt(idText, 10, 64)
	if err != nil || id == 0 || strings.ContainsAny(business, "@:") {
		return 0, "", &sdk.ChannelError{Code: "chat_unknown", Message: fmt.Sprintf("%q is not a Telegram chat of this connector", ref)}
	}
	return id, business, nil
}

// parseMessage splits a message's external id.
func parseMessage(ref string) (chat string, id int, err error) {
	i := strings.LastIndexByte(ref, ':')
	if i > 0 {
		chat = ref[:i]
		id, err = strconv.Atoi(ref[i+1:])
	}
	if i <= 0 || err != nil || id <= 0 {
		return "", 0, &sdk.ChannelError{Code: "message_unknown", Message: fmt.Sprintf("%q is not a Telegram message of this connector", ref)}
	}
	if _, _, err := parseChat(chat); err != nil {
		return "", 0, err
	}
	return chat, id, nil
}

// isPrivate says whether a chat is one person's (the reference's samples
// of old leave the type out; a person's chat id is positive).
func isPrivate(c tgChat) bool { return c.Type == "private" || (c.Type == "" && c.ID > 0) }

// fromCustomer says whether a message was written by the customer whose
// chat it is. In a business account's chats the owner's own messages
// arrive too; in groups nobody is the chat's customer.
func fromCustomer(m *tgMessage) bool {
	return m != nil && m.From != nil && !m.From.IsBot && isPrivate(m.Chat) && m.From.ID == m.Chat.ID
}

// errTransient marks a failure that should end this pass over the updates
// and be tried again (the update is not confirmed).
type errTransient struct{ err error }

func (e *errTransient) Error() string { return e.err.Error() }
func (e *errTransient) Unwrap() error { return e.err }

// eventsOf turns an update into events. The events of an update depend
// only on the update, so a replay after a restart yields the same ones
// with the same cursors. An error means the update must be read again.
func (c *connector) eventsOf(ctx context.Context, u *tgUpdate) ([]sdk.Event, error) {
	switch {
	case u.Message != nil || u.BusinessMessage != nil:
		m := u.Message
		if m == nil {
			m = u.BusinessMessage
		}
		if !fromCustomer(m) {
			return nil, nil
		}
		return c.messageEvents(ctx, m)
	case u.EditedMessage != nil || u.EditedBusinessMessage != nil:
		m := u.EditedMessage
		if m == nil {
			m = u.EditedBusinessMessage
		}
		if !fromCustomer(m) {
			return nil, nil
		}
		chat := chatRef(m.BusinessConnectionID, m.Chat.ID)
		return []sdk.Event{{ChatID: chat, OccurredAt: unix(max(m.EditDate, m.Date)),
			Edit: &sdk.Edit{ExternalID: messageRef(chat, m.MessageID), Text: textOf(m)}}}, nil
	case u.DeletedBusinessMessages != nil:
		d := u.DeletedBusinessMessages
		if !isPrivate(d.Chat) {
			return nil, nil
		}
		chat := chatRef(d.BusinessConnectionID, d.Chat.ID)
		var evs []sdk.Event
		for _, id := range d.MessageIDs {
			evs = append(evs, sdk.Event{ChatID: chat, Delete: &sdk.Delete{ExternalID: messageRef(chat, id)}})
		}
		return evs, nil
	case u.MyChatMember != nil:
		mc := u.MyChatMember
		if !isPrivate(mc.Chat) {
			return nil, nil
		}
		action := map[string]string{"kicked": "bot_blocked", "member": "bot_unblocked"}[mc.NewChatMember.Status]
		if action == "" {
			return nil, nil
		}
		return []sdk.Event{{ChatID: chatRef("", mc.Chat.ID), OccurredAt: unix(mc.Date),
			Action: &sdk.Action{Contact: c.contactOf(ctx, &mc.From, false), Action: action}}}, nil
	}
	return nil, nil
}

func unix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

func textOf(m *tgMessage) string {
	if m.Text != "" {
		return m.Text
	}
	return m.Caption
}

// startPayload recognises /start (the deep link t.me/<bot>?start=<payload>
// sends "/start <payload>").
func startPayload(text string) (payload string, ok bool) {
	cmd, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	if name, _, _ := strings.Cut(cmd, "@"); name != "/start" {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

func (c *connector) messageEvents(ctx context.Context, m *tgMessage) ([]sdk.Event, error) {
	chat := chatRef(m.BusinessConnectionID, m.Chat.ID)
	at := unix(m.Date)
	if payload, ok := startPayload(m.Text); ok && m.BusinessConnectionID == "" {
		who := c.contactOf(ctx, m.From, true)
		action := &sdk.Action{Contact: who, Action: "start"}
		if payload != "" {
			action.Details = map[string]string{"payload": payload}
		}
		return []sdk.Event{
			{ChatID: chat, OccurredAt: at, Profile: &who},
			{ChatID: chat, OccurredAt: at, Action: action},
		}, nil
	}
	msg := &sdk.Message{ExternalID: messageRef(chat, m.MessageID), From: c.contactOf(ctx, m.From, true), Text: textOf(m)}
	if m.ReplyToMessage != nil {
		msg.ReplyToExternalID = messageRef(chat, m.ReplyToMessage.MessageID)
	}
	att, err := c.attachmentsOf(ctx, m)
	if err != nil {
		return nil, err
	}
	msg.Attachments = att
	switch {
	case m.Location != nil && msg.Text == "":
		msg.Text = fmt.Sprintf("Location: %.6f, %.6f", m.Location.Latitude, m.Location.Longitude)
	case m.Contact != nil && msg.Text == "":
		msg.Text = strings.TrimSpace("Contact: " + strings.TrimSpace(m.Contact.FirstName+" "+m.Contact.LastName) + " " + m.Contact.PhoneNumber)
	case m.Sticker != nil && len(att) == 0:
		msg.Text = m.Sticker.Emoji
	}
	if msg.Text == "" && len(msg.Attachments) == 0 {
		if m.Poll == nil && m.Dice == nil && m.Game == nil && m.Story == nil && m.Sticker == nil {
			return nil, nil // a service message: nothing the customer wrote
		}
		msg.Text = "[a Telegram message of a kind the inbox cannot show]"
	}
	return []sdk.Event{{ChatID: chat, OccurredAt: at, Message: msg}}, nil
}

// attachmentsOf fetches a message's files into the host's blob store.
func (c *connector) attachmentsOf(ctx context.Context, m *tgMessage) ([]sdk.Attachment, error) {
	type want struct {
		f    tgFile
		name string
	}
	var ws []want
	if n := len(m.Photo); n > 0 {
		// The sizes come smallest first; take the largest getFile serves.
		best := m.Photo[0]
		for _, p := range m.Photo {
			if p.FileSize <= maxDownload {
				best = p
			}
		}
		ws = append(ws, want{tgFile{FileID: best.FileID, FileUniqueID: best.FileUniqueID, FileSize: best.FileSize}, "photo.jpg"})
	}
	add := func(f *tgFile, name string) {
		if f != nil {
			if f.FileName != "" {
				name = f.FileName
			}
			ws = append(ws, want{*f, name})
		}
	}
	add(m.Document, "document")
	add(m.Audio, "audio.mp3")
	add(m.Video, "video.mp4")
	add(m.Voice, "voice.ogg")
	add(m.Animation, "animation.mp4")
	add(m.VideoNote, "video_note.mp4")
	if s := m.Sticker; s != nil {
		// Stickers are shown as images: a static sticker is a WEBP image;
		// animated (TGS) and video (WEBM) stickers show their thumbnail.
		switch {
		case !s.IsAnimated && !s.IsVideo:
			ws = append(ws, want{tgFile{FileID: s.FileID, FileUniqueID: s.FileUniqueID, FileSize: s.FileSize, MimeType: "image/webp"}, "sticker.webp"})
		case s.Thumbnail != nil:
			ws = append(ws, want{tgFile{FileID: s.Thumbnail.FileID, FileUniqueID: s.Thumbnail.FileUniqueID, FileSize: s.Thumbnail.FileSize}, "sticker"})
		}
	}
	var out []sdk.Attachment
	for _, w := range ws {
		a, err := c.fetchFile(ctx, w.f, w.name)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// fetchFile stores one file as a blob, once per file_unique_id. A file
// Telegram will not serve (over 20 MB) or the host will not store keeps
// its name and size without content.
func (c *connector) fetchFile(ctx context.Context, f tgFile, name string) (sdk.Attachment, error) {
	a, h, _, err := c.state()
	if err != nil {
		return sdk.Attachment{}, err
	}
	att := sdk.Attachment{Name: name, MIMEType: f.MimeType, Size: f.FileSize}
	named := func(att sdk.Attachment) sdk.Attachment {
		if att.Name == "sticker" || att.Name == "document" {
			att.Name += extFor(att.MIMEType)
		}
		return att
	}
	key := "file/" + f.FileUniqueID
	if f.FileUniqueID != "" {
		if raw, ok, err := h.StateGet(ctx, key); err != nil {
			return att, &errTransient{err}
		} else if ok {
			var cached sdk.Attachment
			if json.Unmarshal(raw, &cached) == nil {
				att.BlobID, att.Size, att.MIMEType = cached.BlobID, cached.Size, cached.MIMEType
				return named(att), nil
			}
		}
	}
	if f.FileSize > maxDownload {
		c.log(ctx, sdk.LogInfo, "attachment over Telegram's 20 MB download limit kept without content", map[string]string{"bytes": strconv.FormatInt(f.FileSize, 10)})
		return named(att), nil
	}
	data, err := a.download(ctx, f.FileID)
	switch code := codeOf(err); {
	case err == nil:
	case code == "attachment_too_large" || code == "attachment_refused":
		c.log(ctx, sdk.LogWarn, "Telegram does not serve an attachment; kept without content", map[string]string{"code": code})
		return named(att), nil
	default:
		return att, &errTransient{err}
	}
	att.Size = int64(len(data))
	if att.MIMEType == "" || att.MIMEType == "application/octet-stream" {
		att.MIMEType = sniff(data)
	}
	att = named(att)
	id, err := h.BlobPut(ctx, sdk.Blob{Name: att.Name, MIMEType: att.MIMEType, Data: data})
	var ce *sdk.ChannelError
	switch {
	case errors.As(err, &ce):
		c.log(ctx, sdk.LogWarn, "the host does not store an attachment; kept without content", map[string]string{"code": ce.Code})
		return att, nil
	case err != nil:
		return att, &errTransient{err}
	}
	att.BlobID = id
	if f.FileUniqueID != "" {
		raw, _ := json.Marshal(att)
		if err := h.StatePut(ctx, key, raw); err != nil {
			return att, &errTransient{err}
		}
	}
	return att, nil
}

func sniff(data []byte) string {
	t := http.DetectContentType(data)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}

func extFor(mime string) string {
	switch mime {
	case "image/webp":
		return ".webp"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}

// avatarEntry caches a user's profile photo.
type avatarEntry struct {
	UniqueID string `json:"unique_id"`
	BlobID   string `json:"blob_id"`
	Checked  int64  `json:"checked"`
}

// avatarRefresh is how often a user's profile photo is looked up again.
const avatarRefresh = 24 * time.Hour

// contactOf describes a Telegram user; with avatar, their profile photo
// too (looked up at most once a day per user; a failure leaves it out).
func (c *connector) contactOf(ctx context.Context, u *tgUser, avatar bool) sdk.Contact {
	if u == nil {
		return sdk.Contact{}
	}
	ct := sdk.Contact{ExternalID: strconv.FormatInt(u.ID, 10), DisplayName: strings.TrimSpace(u.FirstName + " " + u.LastName), Username: u.Username}
	if avatar {
		ct.AvatarBlobID = c.avatarOf(ctx, u.ID)
	}
	return ct
}

func (c *connector) avatarOf(ctx context.Context, userID int64) string {
	a, h, _, err := c.state()
	if err != nil {
		return ""
	}
	key := "avatar/" + strconv.FormatInt(userID, 10)
	var e avatarEntry
	if raw, ok, err := h.StateGet(ctx, key); err == nil && ok && json.Unmarshal(raw, &e) == nil &&
		time.Since(time.Unix(e.Checked, 0)) < avatarRefresh {
		return e.BlobID
	}
	photos, err := a.profilePhoto(ctx, userID)
	if err != nil {
		c.log(ctx, sdk.LogWarn, "could not look up a profile photo", map[string]string{"code": codeOf(err)})
		return e.BlobID
	}
	e.Checked = time.Now().Unix()
	switch {
	case photos == nil:
		e.UniqueID, e.BlobID = "", ""
	case photos.FileUniqueID != e.UniqueID || e.BlobID == "":
		att, err := c.fetchFile(ctx, tgFile{FileID: photos.FileID, FileUniqueID: photos.FileUniqueID, FileSize: photos.FileSize, MimeType: "image/jpeg"}, "avatar.jpg")
		if err != nil {
			c.log(ctx, sdk.LogWarn, "could not fetch a profile photo", map[string]string{"code": codeOf(err)})
			return e.BlobID
		}
		e.UniqueID, e.BlobID = photos.FileUniqueID, att.BlobID
	}
	raw, _ := json.Marshal(e)
	_ = h.StatePut(ctx, key, raw)
	return e.BlobID
}

// profilePhoto returns the size of a user's newest profile photo fit for an
// avatar (the smallest at least 160 px wide), or nil when they show none.
func (a *api) profilePhoto(ctx context.Context, userID int64) (*tgPhotoSize, error) {
	var out *tgPhotoSize
	err := a.call(ctx, "getUserProfilePhotos", func(ctx context.Context) error {
		r, err := a.bot.GetUserProfilePhotos(ctx, &bot.GetUserProfilePhotosParams{UserID: userID, Limit: 1})
		if err != nil || len(r.Photos) == 0 || len(r.Photos[0]) == 0 {
			return err
		}
		sizes := r.Photos[0]
		pick := sizes[len(sizes)-1]
		for _, s := range sizes {
			if s.Width >= 160 {
				pick = s
				break
			}
		}
		out = &tgPhotoSize{FileID: pick.FileID, FileUniqueID: pick.FileUniqueID, Width: pick.Width, FileSize: int64(pick.FileSize)}
		return nil
	})
	return out, err
}
