package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/sdk"
)

func TestSampleUpdatesBecomeTheRightEvents(t *testing.T) {
	pdf := []byte("%PDF-1.4 test file")
	ogg := []byte("OggS\x00voice")
	mp3 := []byte("ID3\x03music")
	// files registers what a fixture's file ids point to on the server.
	files := map[string]func(r *rig){
		"document.json": func(r *rig) {
			r.srv.AddFileWithID("AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "AgADbXXXXXXXXXXX", "Testfile.pdf", pdf)
		},
		"voice.json": func(r *rig) {
			r.srv.AddFileWithID("AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "AgADbXXXXXXXXXXX", "voice.ogg", ogg)
		},
		"audio.json": func(r *rig) { r.srv.AddFileWithID("AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "AgADbXXXXXXXXXXX", "a.mp3", mp3) },
		"photo.json": func(r *rig) {
			r.srv.AddFileWithID("AgACAgIAAxkBAAIBZ2Small", "AQADSmall", "s.jpg", jpeg[:40])
			r.srv.AddFileWithID("AgACAgIAAxkBAAIBZ2Large", "AQADLarge", "l.jpg", jpeg)
		},
		"sticker.json": func(r *rig) { r.srv.AddFileWithID("CAACAgIAAxkBAAIBStatic", "AgADStatic", "s.webp", webp) },
		"sticker_animated.json": func(r *rig) {
			r.srv.AddFileWithID("CAACAgIAAxkBAAIBAnimated", "AgADAnimated", "a.tgs", []byte("\x1f\x8blottie"))
			r.srv.AddFileWithID("AAMCAgADAnimThumb", "AQADAnimThumb", "t.webp", webp)
		},
	}
	blob := func(r *rig, id string) sdk.Blob {
		b, err := r.host.BlobGet(context.Background(), id)
		if err != nil {
			t.Fatalf("BlobGet(%s): %v", id, err)
		}
		return b
	}
	tests := []struct {
		fixture string
		check   func(t *testing.T, r *rig, evs []sdk.Event)
		n       int
	}{
		{"start.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			p, a := evs[0].Profile, evs[1].Action
			if p == nil || p.ExternalID != "1111111" || p.DisplayName != "Test Test Lastname" || p.Username != "Test" {
				t.Fatalf("profile = %+v", evs[0])
			}
			if a == nil || a.Action != "start" || a.Details["payload"] != "" || evs[1].ChatID != "1111111" {
				t.Fatalf("action = %+v", evs[1])
			}
		}, 2},
		{"start_payload.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			if a := evs[1].Action; a == nil || a.Action != "start" || a.Details["payload"] != "order-42" || a.Contact.ExternalID != "1111111" {
				t.Fatalf("action = %+v", evs[1].Action)
			}
		}, 2},
		{"entities.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			m := evs[0].Message
			if m == nil || m.Text != "Bold and italics" || m.ExternalID != "1111111:1365" || m.From.DisplayName != "Test Firstname Test Lastname" ||
				!evs[0].OccurredAt.Equal(time.Unix(1441645532, 0)) {
				t.Fatalf("message = %+v at %v", m, evs[0].OccurredAt)
			}
		}, 1},
		{"reply.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			if m := evs[0].Message; m == nil || m.ReplyToExternalID != "1111111:1334" || m.Text != "Is it shipped yet?" {
				t.Fatalf("message = %+v", m)
			}
		}, 1},
		{"forwarded.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			if evs[0].Profile == nil || evs[1].Action == nil || evs[1].Action.Action != "start" {
				t.Fatalf("a forwarded /start is still the customer's /start: %+v", evs)
			}
		}, 2},
		{"edited.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			if e := evs[0].Edit; e == nil || e.ExternalID != "1111111:1365" || e.Text != "Edited text" || !evs[0].OccurredAt.Equal(time.Unix(1441646600, 0)) {
				t.Fatalf("edit = %+v", evs[0])
			}
		}, 1},
		{"photo.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			m := evs[0].Message
			if m == nil || m.Text != "The box arrived like this" || len(m.Attachments) != 1 {
				t.Fatalf("message = %+v", m)
			}
			a := m.Attachments[0]
			if b := blob(r, a.BlobID); !bytes.Equal(b.Data, jpeg) || a.MIMEType != "image/jpeg" || a.Size != int64(len(jpeg)) {
				t.Fatalf("photo = %+v (%d bytes), want the largest size as image/jpeg", a, len(b.Data))
			}
		}, 1},
		{"document.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			a := evs[0].Message.Attachments[0]
			if a.Name != "Testfile.pdf" || a.MIMEType != "application/pdf" || !bytes.Equal(blob(r, a.BlobID).Data, pdf) {
				t.Fatalf("document = %+v", a)
			}
		}, 1},
		{"voice.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			a := evs[0].Message.Attachments[0]
			if a.Name != "voice.ogg" || a.MIMEType != "audio/ogg" || !bytes.Equal(blob(r, a.BlobID).Data, ogg) {
				t.Fatalf("voice = %+v", a)
			}
		}, 1},
		{"audio.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			if a := evs[0].Message.Attachments[0]; a.MIMEType != "audio/mpeg" || !bytes.Equal(blob(r, a.BlobID).Data, mp3) {
				t.Fatalf("audio = %+v", a)
			}
		}, 1},
		{"sticker.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			a := evs[0].Message.Attachments[0]
			if a.MIMEType != "image/webp" || a.Name != "sticker.webp" || !bytes.Equal(blob(r, a.BlobID).Data, webp) {
				t.Fatalf("sticker = %+v", a)
			}
		}, 1},
		{"sticker_animated.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			a := evs[0].Message.Attachments[0]
			if a.MIMEType != "image/webp" || !bytes.Equal(blob(r, a.BlobID).Data, webp) {
				t.Fatalf("an animated sticker shows its thumbnail; got %+v", a)
			}
		}, 1},
		{"business_message.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			m := evs[0].Message
			if m == nil || evs[0].ChatID != "1111111@AbCdEfGhIjKlMnOp" || m.ExternalID != "1111111@AbCdEfGhIjKlMnOp:77" {
				t.Fatalf("business message = %+v in %s", m, evs[0].ChatID)
			}
		}, 1},
		{"business_deleted.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			if evs[0].Delete == nil || evs[0].Delete.ExternalID != "1111111@AbCdEfGhIjKlMnOp:77" || evs[1].Delete.ExternalID != "1111111@AbCdEfGhIjKlMnOp:78" {
				t.Fatalf("deletes = %+v, %+v", evs[0].Delete, evs[1].Delete)
			}
		}, 2},
		{"my_chat_member_kicked.json", func(t *testing.T, r *rig, evs []sdk.Event) {
			if a := evs[0].Action; a == nil || a.Action != "bot_blocked" || a.Contact.ExternalID != "1111111" {
				t.Fatalf("action = %+v", evs[0])
			}
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			r := newRig(t, "")
			if f := files[tt.fixture]; f != nil {
				f(r)
			}
			id := r.srv.Push(fixture(t, tt.fixture))
			s := r.receive("")
			var evs []sdk.Event
			for range tt.n {
				evs = append(evs, s.Next())
			}
			for i, e := range evs {
				if want := (position{id, i, tt.n}).String(); e.Cursor != want {
					t.Errorf("event %d cursor = %q, want %q", i, e.Cursor, want)
				}
			}
			tt.check(t, r, evs)
			s.None(200 * time.Millisecond)
			// Customer text never reaches the log.
			if logs := r.host.Logs(); strings.Contains(logs, "shipped") || strings.Contains(logs, "italics") || strings.Contains(logs, "Kazan") {
				t.Errorf("customer text in the log:\n%s", logs)
			}
		})
	}
}

func TestUpdatesTheConnectorIgnoresDoNotStallThePoll(t *testing.T) {
	r := newRig(t, "")
	r.srv.Push(fixture(t, "group.json"))
	s := r.receive("")
	s.None(300 * time.Millisecond)
	_, m := r.srv.UserWrites(customer, "after the group message", 0)
	if e := s.Next(); e.Message == nil || e.Message.ExternalID != messageRef("1111111", m.MessageID) {
		t.Fatalf("got %+v", e)
	}
	waitFor(t, "the group update confirmed", func() bool { return r.srv.Pending() == 0 })
}

func TestAProfilePhotoBecomesTheAvatar(t *testing.T) {
	r := newRig(t, "")
	avatar := append([]byte{0xFF, 0xD8, 0xFF}, []byte("avatar")...)
	r.srv.SetAvatar(customer.ID, avatar)
	r.srv.UserWrites(customer, "/start", 0)
	r.srv.UserWrites(customer, "hello", 0)
	s := r.receive("")
	p := s.Next().Profile
	if p == nil || p.AvatarBlobID == "" {
		t.Fatalf("profile = %+v, want an avatar", p)
	}
	if b, err := r.host.BlobGet(context.Background(), p.AvatarBlobID); err != nil || !bytes.Equal(b.Data, avatar) {
		t.Fatalf("avatar blob = %v, %v", b, err)
	}
	s.Next() // the action
	if m := s.Next().Message; m.From.AvatarBlobID != p.AvatarBlobID || m.From.Username != "Testusername" {
		t.Fatalf("message sender = %+v", m.From)
	}
	if n := len(r.srv.Calls("getUserProfilePhotos")); n != 1 {
		t.Errorf("getUserProfilePhotos called %d times, want once (cached for a day)", n)
	}
}

func TestAnUpdateIsConfirmedOnlyAfterItsAck(t *testing.T) {
	r := newRig(t, "")
	id1, _ := r.srv.UserWrites(customer, "one", 0)
	r.srv.UserWrites(customer, "two", 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan sdk.Event, 10)
	go func() {
		_ = r.c.Receive(ctx, "", func(e sdk.Event) error { got <- e; return nil })
	}()
	e1 := <-got
	e2 := <-got
	time.Sleep(300 * time.Millisecond)
	if c := r.srv.Confirmed(); c > id1 {
		t.Fatalf("Telegram was told %d before any Ack", c)
	}
	if err := r.c.Ack(ctx, e1.Cursor); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if c := r.srv.Confirmed(); c > id1 {
		t.Fatalf("confirmed offset %d after acknowledging only %s", c, e1.Cursor)
	}
	if err := r.c.Ack(ctx, e2.Cursor); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both updates confirmed", func() bool { return r.srv.Pending() == 0 })
}

func TestAPartlyStoredUpdateResumesAtItsNextEvent(t *testing.T) {
	r := newRig(t, "")
	r.srv.Push(fixture(t, "start_payload.json"))
	s := r.receive("")
	profile := s.Next()
	s.Stop()
	// A new Receive after the host stored only the profile of the /start.
	s2 := r.receive(profile.Cursor)
	if e := s2.Next(); e.Action == nil || e.Action.Details["payload"] != "order-42" {
		t.Fatalf("after %s got %+v, want the /start action", profile.Cursor, e)
	}
	s2.None(300 * time.Millisecond)
}

func TestOperatorsSendReplyEditAndDelete(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	_, asked := r.srv.UserWrites(customer, "Where is my order?", 0)
	chat := "1111111"

	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "k1", ChatID: chat, Text: "On its way",
		ReplyToExternalID: messageRef(chat, asked.MessageID)})
	if err != nil || res.State != sdk.DeliverySent {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	sent := r.srv.BotMessages("", customer.ID)
	if len(sent) != 1 || sent[0].Text != "On its way" || sent[0].ReplyToMessage == nil || sent[0].ReplyToMessage.MessageID != asked.MessageID {
		t.Fatalf("bot messages = %+v", sent)
	}
	if res.ExternalID != messageRef(chat, sent[0].MessageID) {
		t.Fatalf("external id = %s", res.ExternalID)
	}
	again, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "k1", ChatID: chat, Text: "On its way"})
	if err != nil || again.ExternalID != res.ExternalID || len(r.srv.BotMessages("", customer.ID)) != 1 {
		t.Fatalf("the same key again = %+v, %v; %d messages", again, err, len(r.srv.BotMessages("", customer.ID)))
	}

	if err := r.c.Edit(ctx, chat, res.ExternalID, "On its way, arrives Friday"); err != nil {
		t.Fatal(err)
	}
	if err := r.c.Edit(ctx, chat, res.ExternalID, "On its way, arrives Friday"); err != nil {
		t.Fatalf("the same text again: %v", err)
	}
	if m, _ := r.srv.Message("", customer.ID, sent[0].MessageID); m.Text != "On its way, arrives Friday" || m.EditDate == 0 {
		t.Fatalf("edited message = %+v", m)
	}

	if err := r.c.Delete(ctx, chat, res.ExternalID); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.srv.Message("", customer.ID, sent[0].MessageID); ok {
		t.Fatal("the message is still there")
	}
	if err := r.c.Delete(ctx, chat, res.ExternalID); err != nil {
		t.Fatalf("deleting a deleted message: %v", err)
	}
}

func TestAttachmentsGoAsPhotosAndDocuments(t *testing.T) {
	r := newRig(t, `,"sign_messages":true`)
	ctx := context.Background()
	r.srv.UserWrites(customer, "hi", 0)
	photoID, _ := r.host.BlobPut(ctx, sdk.Blob{Name: "box.jpg", MIMEType: "image/jpeg", Data: jpeg})
	pdf := []byte("%PDF-1.4 invoice")
	docID, _ := r.host.BlobPut(ctx, sdk.Blob{Name: "invoice.pdf", MIMEType: "application/pdf", Data: pdf})
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "a1", ChatID: "1111111", Text: "Here you are", SenderName: "Anna",
		Attachments: []sdk.Attachment{{BlobID: photoID}, {BlobID: docID, Name: "invoice.pdf"}}})
	if err != nil {
		t.Fatal(err)
	}
	sent := r.srv.BotMessages("", customer.ID)
	if len(sent) != 2 || len(sent[0].Photo) == 0 || sent[0].Caption != "Here you are\n\n— Anna" || sent[1].Document == nil || sent[1].Document.FileName != "invoice.pdf" {
		t.Fatalf("bot messages = %+v", sent)
	}
	if !bytes.Equal(r.srv.FileData(sent[0].Photo[0].FileID), jpeg) || !bytes.Equal(r.srv.FileData(sent[1].Document.FileID), pdf) {
		t.Fatal("the uploaded files differ from the blobs")
	}
	if calls := r.srv.Calls("sendPhoto"); len(calls) != 1 || calls[0].Files["photo"] != "box.jpg" {
		t.Fatalf("sendPhoto calls = %+v, want one multipart upload", calls)
	}
	// The caption is what an edit changes.
	if err := r.c.Edit(ctx, "1111111", res.ExternalID, "Here you are (updated)"); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.srv.Message("", customer.ID, sent[0].MessageID); m.Caption != "Here you are (updated)" {
		t.Fatalf("caption = %q", m.Caption)
	}
	// Deleting the message deletes both parts.
	if err := r.c.Delete(ctx, "1111111", res.ExternalID); err != nil {
		t.Fatal(err)
	}
	if left := r.srv.BotMessages("", customer.ID); len(left) != 0 {
		t.Fatalf("left after delete: %+v", left)
	}
}

func TestALongTextIsSplitAtTelegramsLimit(t *testing.T) {
	r := newRig(t, "")
	r.srv.UserWrites(customer, "hi", 0)
	text := strings.Repeat("слово ", 1000) // 6000 characters
	if _, err := r.c.Send(context.Background(), sdk.OutboundMessage{IdempotencyKey: "long", ChatID: "1111111", Text: text}); err != nil {
		t.Fatal(err)
	}
	sent := r.srv.BotMessages("", customer.ID)
	if len(sent) != 2 || sent[0].Text+sent[1].Text != text {
		t.Fatalf("got %d messages", len(sent))
	}
}

func TestTelegramsLimitsComeBackAsChannelErrors(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	_, m := r.srv.UserWrites(customer, "old message", 0)
	r.srv.Backdate(customer.ID, m.MessageID, 49*time.Hour)
	if err := r.c.Delete(ctx, "1111111", messageRef("1111111", m.MessageID)); channelCode(err) != "delete_window_passed" {
		t.Fatalf("deleting a 49 h old message: %v", err)
	}
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "x", ChatID: "1111111", Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	// Our own record says when it was sent: two days ago.
	rec, _, _ := loadRecord(ctx, r.host, "msg/"+res.ExternalID)
	rec.At -= int64((49 * time.Hour).Seconds())
	_ = saveRecord(ctx, r.host, rec, "msg/"+res.ExternalID)
	if err := r.c.Delete(ctx, "1111111", res.ExternalID); channelCode(err) != "delete_window_passed" {
		t.Fatalf("deleting our 49 h old message: %v", err)
	}
	if n := len(r.srv.Calls("deleteMessage")); n != 1 {
		t.Errorf("deleteMessage called %d times; the second refusal needs no call", n)
	}
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "y", ChatID: "999", Text: "hello"}); channelCode(err) != "chat_not_found" {
		t.Fatalf("sending to an unknown chat: %v", err)
	}
	r.srv.BlockBot(customer.ID)
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "z", ChatID: "1111111", Text: "hello"}); channelCode(err) != "recipient_blocked" {
		t.Fatalf("sending to a user who blocked the bot: %v", err)
	}
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "w", ChatID: "not-a-chat", Text: "x"}); channelCode(err) != "chat_unknown" {
		t.Fatalf("a chat id that is no Telegram chat: %v", err)
	}
	if err := r.c.Edit(ctx, "1111111", "1111111:0", "x"); channelCode(err) != "message_unknown" {
		t.Fatalf("editing a message id that is none: %v", err)
	}
}

func TestFloodControlIsWaitedOut(t *testing.T) {
	r := newRig(t, "")
	r.srv.UserWrites(customer, "hi", 0)
	r.srv.Flood("sendMessage", 1)
	if _, err := r.c.Send(context.Background(), sdk.OutboundMessage{IdempotencyKey: "f", ChatID: "1111111", Text: "after the flood"}); err != nil {
		t.Fatal(err)
	}
	calls := r.srv.Calls("sendMessage")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("sendMessage calls = %+v, want a 429 then a success", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Fatalf("retried after %v, Telegram asked for retry_after 1", gap)
	}
	if len(r.srv.BotMessages("", customer.ID)) != 1 {
		t.Fatal("the message was not sent exactly once")
	}
	// A retry_after longer than a call may wait is the channel's error.
	r.srv.Flood("sendMessage", 3600)
	_, err := r.c.Send(context.Background(), sdk.OutboundMessage{IdempotencyKey: "g", ChatID: "1111111", Text: "x"})
	if channelCode(err) != "rate_limited" {
		t.Fatalf("an hour's flood wait: %v", err)
	}
}

func TestThePollWaitsOutFloodControl(t *testing.T) {
	r := newRig(t, "")
	r.srv.Flood("getUpdates", 1)
	r.srv.UserWrites(customer, "during the flood", 0)
	s := r.receive("")
	if e := s.Next(); e.Message == nil {
		t.Fatalf("got %+v", e)
	}
	calls := r.srv.Calls("getUpdates")
	if len(calls) < 2 || calls[0].Status != 429 || calls[1].At.Sub(calls[0].At) < time.Second {
		t.Fatalf("getUpdates calls = %+v, want the next poll a second after the 429", calls)
	}
	if !strings.Contains(r.host.Logs(), "retry_after:1") {
		t.Errorf("the flood wait is not logged:\n%s", r.host.Logs())
	}
}

func TestAWebhookIsRemovedSoPollingWorks(t *testing.T) {
	r := newRig(t, "")
	r.srv.SetWebhook("https://old.example.com/hook")
	r.srv.UserWrites(customer, "hello", 0)
	s := r.receive("")
	if e := s.Next(); e.Message == nil {
		t.Fatalf("got %+v", e)
	}
	if len(r.srv.Calls("deleteWebhook")) != 1 {
		t.Fatal("deleteWebhook was not called")
	}
}

func TestTheTokenIsCheckedWithGetMe(t *testing.T) {
	srv := newRig(t, "").srv
	h := newRecordingHost(t)
	c := newConnector()
	wrong := "123456789:AAE-this-is-not-the-token"
	fes, err := c.Configure(context.Background(), sdk.ConfigureRequest{Host: h,
		Settings: []byte(`{"token":"` + wrong + `","api_url":"` + srv.URL + `"}`)})
	if err != nil || len(fes) != 1 || fes[0].Field != "/token" || fes[0].Code != "token_invalid" {
		t.Fatalf("Configure(wrong token) = %+v, %v", fes, err)
	}
	if strings.Contains(fes[0].Message, wrong) || strings.Contains(h.Logs(), wrong) {
		t.Fatal("the token was echoed")
	}
	if err := c.Health(context.Background()); channelCode(err) != "not_configured" {
		t.Fatalf("Health after refused settings = %v", err)
	}
}

func TestAnUnreachableTelegramIsAChannelErrorNotASettingsError(t *testing.T) {
	srv := newRig(t, "").srv
	dead := srv.URL
	srv.Close()
	h := newRecordingHost(t)
	c := newConnector()
	fes, err := c.Configure(context.Background(), sdk.ConfigureRequest{Host: h,
		Settings: []byte(`{"token":"` + srv.Token + `","api_url":"` + dead + `"}`)})
	if err != nil || len(fes) != 0 {
		t.Fatalf("Configure = %+v, %v", fes, err)
	}
	herr := c.Health(context.Background())
	if channelCode(herr) != "channel_unreachable" || strings.Contains(herr.Error(), srv.Token) {
		t.Fatalf("Health = %v", herr)
	}
	_, err = c.Send(context.Background(), sdk.OutboundMessage{IdempotencyKey: "k", ChatID: "1", Text: "x"})
	if channelCode(err) != "channel_unreachable" || strings.Contains(err.Error(), srv.Token) {
		t.Fatalf("Send = %v", err)
	}
	if strings.Contains(h.Logs(), srv.Token) {
		t.Fatalf("the token is in the log:\n%s", h.Logs())
	}
}

func TestCursorsParseStrictly(t *testing.T) {
	for _, good := range []string{"1:0/1", "700000001:1/2"} {
		if p, err := parseCursor(good); err != nil || p.String() != good {
			t.Errorf("parseCursor(%q) = %v, %v", good, p, err)
		}
	}
	for _, bad := range []string{"x", "1:1/1", "0:0/1", "1:0/1x", "01:0/1", "\x00not-a-cursor", "1:-1/2"} {
		if _, err := parseCursor(bad); err == nil {
			t.Errorf("parseCursor(%q) accepted", bad)
		}
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestABusinessAccountsChatsWorkBothWays(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	owner := customer
	owner.ID, owner.FirstName = 5555, "Shop Owner"
	r.srv.AddBusinessConnection("AbCdEfGhIjKlMnOp", owner)
	_, asked := r.srv.BusinessUserWrites("AbCdEfGhIjKlMnOp", customer, "Do you ship to Kazan?")
	s := r.receive("")
	e := s.Next()
	if e.Message == nil || e.ChatID != "1111111@AbCdEfGhIjKlMnOp" {
		t.Fatalf("got %+v", e)
	}
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "b1", ChatID: e.ChatID, Text: "We do", ReplyToExternalID: e.Message.ExternalID})
	if err != nil {
		t.Fatal(err)
	}
	sent := r.srv.BotMessages("AbCdEfGhIjKlMnOp", customer.ID)
	if len(sent) != 1 || sent[0].Text != "We do" || sent[0].ReplyToMessage.MessageID != asked.MessageID || len(r.srv.BotMessages("", customer.ID)) != 0 {
		t.Fatalf("business chat = %+v", sent)
	}
	if err := r.c.Edit(ctx, e.ChatID, res.ExternalID, "We do, in 3 days"); err != nil {
		t.Fatal(err)
	}
	if err := r.c.Delete(ctx, e.ChatID, res.ExternalID); err != nil {
		t.Fatal(err)
	}
	if len(r.srv.BotMessages("AbCdEfGhIjKlMnOp", customer.ID)) != 0 || len(r.srv.Calls("deleteBusinessMessages")) != 1 {
		t.Fatal("the business message was not deleted with deleteBusinessMessages")
	}
	// The customer deletes their message: the inbox hears of it.
	r.srv.BusinessUserDeletes("AbCdEfGhIjKlMnOp", customer, asked.MessageID)
	if d := s.Next().Delete; d == nil || d.ExternalID != e.Message.ExternalID {
		t.Fatalf("delete = %+v", d)
	}
}

func TestAnOperatorTypingShowsInTheCustomersChat(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	r.srv.UserWrites(customer, "Hello?", 0)
	if err := r.c.SendTyping(ctx, "1111111", "Support"); err != nil {
		t.Fatalf("SendTyping: %v", err)
	}
	calls := r.srv.Calls("sendChatAction")
	if len(calls) != 1 || calls[0].Params["chat_id"] != "1111111" || calls[0].Params["action"] != "typing" || calls[0].Status != 200 {
		t.Fatalf("sendChatAction calls = %+v, want one typing in the customer's chat", calls)
	}
	if err := r.c.SendTyping(ctx, "999", "Support"); channelCode(err) != "chat_not_found" {
		t.Errorf("typing in an unknown chat: %v", err)
	}
	if err := r.c.SendTyping(ctx, "not-a-chat", "Support"); channelCode(err) != "chat_unknown" {
		t.Errorf("typing in a chat id that is no Telegram chat: %v", err)
	}
	r.srv.BlockBot(customer.ID)
	if err := r.c.SendTyping(ctx, "1111111", "Support"); channelCode(err) != "recipient_blocked" {
		t.Errorf("typing to a user who blocked the bot: %v", err)
	}
}
