package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/connectors/vk/internal/fakevk"
	"switchboard/plugins/sdk"
)

func TestDocumentedSamplesBecomeEvents(t *testing.T) {
	files := map[string]struct {
		path, mime string
		data       []byte
	}{
		"message_new_photo.json":         {"/impg/c855/w.jpg", "image/jpeg", jpeg},
		"message_new_doc.json":           {"/doc/678901234", "application/pdf", []byte("%PDF-1.4 waybill 4521")},
		"message_new_audio_message.json": {"/audio_msg/u1234567/8a7c2e.ogg", "audio/ogg", []byte("OggS voice")},
		"message_new_sticker.json":       {"/sticker/1-9008-512", "image/png", []byte("\x89PNG sticker 512")},
	}
	blob := func(t *testing.T, r *rig, a sdk.Attachment, want []byte) {
		t.Helper()
		b, err := r.host.BlobGet(context.Background(), a.BlobID)
		if err != nil || !bytes.Equal(b.Data, want) {
			t.Fatalf("blob = %q, %v; want %q", b.Data, err, want)
		}
	}
	tests := []struct {
		fixture string
		check   func(t *testing.T, r *rig, e sdk.Event)
	}{
		{"message_new.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || m.ExternalID != "11" || m.Text != "Здравствуйте! Где мой заказ 4521?" || e.ChatID != chat || e.OccurredAt.Unix() != 1733139000 {
				t.Fatalf("event = %+v / %+v", e, m)
			}
			if m.From.DisplayName != "Анна Смирнова" || m.From.Username != "anna_smirnova" || m.From.AvatarBlobID == "" {
				t.Fatalf("sender = %+v", m.From)
			}
			blob(t, r, sdk.Attachment{BlobID: m.From.AvatarBlobID}, avatar)
		}},
		{"message_new_reply.json", func(t *testing.T, r *rig, e sdk.Event) {
			if m := e.Message; m == nil || m.ReplyToExternalID != "12" || m.Text != "Да, в пятницу удобно" {
				t.Fatalf("message = %+v", m)
			}
		}},
		{"message_new_photo.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || m.Text != "Коробка пришла мятая" || len(m.Attachments) != 1 || m.Attachments[0].MIMEType != "image/jpeg" {
				t.Fatalf("message = %+v", m)
			}
			blob(t, r, m.Attachments[0], jpeg) // the largest size, w
		}},
		{"message_new_doc.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || len(m.Attachments) != 1 || m.Attachments[0].Name != "Накладная 4521.pdf" || m.Attachments[0].MIMEType != "application/pdf" {
				t.Fatalf("message = %+v", m)
			}
			blob(t, r, m.Attachments[0], []byte("%PDF-1.4 waybill 4521"))
		}},
		{"message_new_audio_message.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || len(m.Attachments) != 1 || m.Attachments[0].Name != "voice.ogg" {
				t.Fatalf("message = %+v", m)
			}
			blob(t, r, m.Attachments[0], []byte("OggS voice"))
		}},
		{"message_new_sticker.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || len(m.Attachments) != 1 || m.Attachments[0].MIMEType != "image/png" {
				t.Fatalf("message = %+v", m)
			}
			blob(t, r, m.Attachments[0], []byte("\x89PNG sticker 512"))
		}},
		{"message_new_video.json", func(t *testing.T, r *rig, e sdk.Event) {
			if m := e.Message; m == nil || !strings.Contains(m.Text, "Смотрите видео") || !strings.Contains(m.Text, "https://vk.com/video1234567_456239018") {
				t.Fatalf("message = %+v", m)
			}
		}},
		{"message_edit.json", func(t *testing.T, r *rig, e sdk.Event) {
			if ed := e.Edit; ed == nil || ed.ExternalID != "11" || ed.Text != "Здравствуйте! Где мой заказ 4522?" {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"message_typing_state.json", func(t *testing.T, r *rig, e sdk.Event) {
			if e.Typing == nil || e.Typing.From.ExternalID != chat {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"message_allow.json", func(t *testing.T, r *rig, e sdk.Event) {
			if a := e.Action; a == nil || a.Action != "messages_allowed" || a.Details["key"] != "promo-autumn" {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"message_deny.json", func(t *testing.T, r *rig, e sdk.Event) {
			if a := e.Action; a == nil || a.Action != "messages_denied" {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"message_read.json", func(t *testing.T, r *rig, e sdk.Event) {
			if d := e.Delivery; d == nil || d.ExternalID != "19" || d.State != sdk.DeliveryRead || e.ChatID != chat {
				t.Fatalf("event = %+v", e)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			r := newRig(t, "")
			if f, ok := files[tt.fixture]; ok {
				r.srv.ServeStatic(f.path, f.mime, f.data)
			}
			s := r.receive("")
			waitFor(t, "the first poll", func() bool { return len(r.srv.Calls("groups.getLongPollServer")) >= 2 })
			// What the connector ignores comes first and does not stall it.
			r.srv.Push(fixture(t, r.srv, "message_new_chat.json"))
			r.srv.Push(fixture(t, r.srv, "message_reply.json"))
			r.srv.Push(fixture(t, r.srv, tt.fixture))
			e := s.Next()
			tt.check(t, r, e)
			// The cursor names the poll's ts and the update's place after it.
			if p, _, err := parseCursor(e.Cursor); err != nil || p.ts+int64(p.index)+1 != r.srv.LastEvent() {
				t.Errorf("cursor = %q (%v), want the place of event %d", e.Cursor, err, r.srv.LastEvent())
			}
			s.None(150 * time.Millisecond)
			logs := r.host.Logs()
			for _, text := range []string{"заказ", "Коробка", "пятницу", "Анна", "видео"} {
				if strings.Contains(logs, text) {
					t.Errorf("customer text %q in the log:\n%s", text, logs)
				}
			}
		})
	}
}

func TestAFileVKNoLongerServesLeavesTheMessage(t *testing.T) {
	r := newRig(t, "")
	s := r.receive("")
	waitFor(t, "the first poll", func() bool { return len(r.srv.Calls("groups.getLongPollServer")) >= 2 })
	r.srv.Push(fixture(t, r.srv, "message_new_photo.json")) // its file is not served
	if m := s.Next().Message; m == nil || len(m.Attachments) != 0 || m.Text != "Коробка пришла мятая\n[photo not available from VK]" {
		t.Fatalf("message = %+v", m)
	}
}

func TestTheCursorMovesOnlyAfterAck(t *testing.T) {
	r := newRig(t, "")
	s := r.receive("")
	waitFor(t, "the first poll", func() bool { return len(r.srv.Calls("groups.getLongPollServer")) >= 2 })
	start := r.srv.LastEvent()
	// Both in one poll answer: the connector asks again only after the Ack.
	r.srv.Hold()
	r.srv.UserWrites(customer.ID, "one")
	r.srv.UserWrites(customer.ID, "two")
	r.srv.Release()
	var got []sdk.Event
	for range 2 {
		select {
		case e := <-s.Events():
			got = append(got, e)
		case <-time.After(10 * time.Second):
			t.Fatal("no events")
		}
	}
	r.srv.UserWrites(customer.ID, "three")
	time.Sleep(300 * time.Millisecond)
	// Nothing acknowledged: the poll has not asked past the first answer.
	select {
	case e := <-s.Events():
		t.Fatalf("got %+v before acknowledging the first answer", e.Message)
	default:
	}
	_ = r.c.Ack(context.Background(), got[0].Cursor)
	time.Sleep(300 * time.Millisecond)
	select {
	case e := <-s.Events():
		t.Fatalf("got %+v after acknowledging only %s", e.Message, got[0].Cursor)
	default:
	}
	_ = r.c.Ack(context.Background(), got[1].Cursor)
	if e := s.Next(); e.Message == nil || e.Message.Text != "three" {
		t.Fatalf("got %+v", e)
	}
	// A restart from the first event's cursor gives the two after it once.
	s.Stop()
	s2 := r.receive(got[0].Cursor)
	for _, want := range []string{"two", "three"} {
		if e := s2.Next(); e.Message == nil || e.Message.Text != want {
			t.Fatalf("after a restart got %+v, want %q", e, want)
		}
	}
	s2.None(200 * time.Millisecond)
	if got[0].Cursor != strconv.FormatInt(start, 10)+":0" {
		t.Errorf("first cursor %q, want %d:0", got[0].Cursor, start)
	}
}

func TestLongPollFailuresAreHandled(t *testing.T) {
	r := newRig(t, "")
	s := r.receive("")
	waitFor(t, "the first poll", func() bool { return len(r.srv.Calls("groups.getLongPollServer")) >= 2 })
	calls := len(r.srv.Calls("groups.getLongPollServer"))
	r.srv.ExpireKey() // failed 2: a new key, the same ts
	r.srv.UserWrites(customer.ID, "after the key expired")
	if e := s.Next(); e.Message == nil || e.Message.Text != "after the key expired" {
		t.Fatalf("got %+v", e)
	}
	if n := len(r.srv.Calls("groups.getLongPollServer")); n != calls+1 {
		t.Fatalf("groups.getLongPollServer called %d more times, want 1", n-calls)
	}
	r.srv.LoseInformation() // failed 3: a new key and ts; what came between is lost
	waitFor(t, "a new long poll server", func() bool { return len(r.srv.Calls("groups.getLongPollServer")) == calls+2 })
	r.srv.UserWrites(customer.ID, "after failed 3")
	if e := s.Next(); e.Message == nil || e.Message.Text != "after failed 3" {
		t.Fatalf("got %+v", e)
	}
	r.srv.LoseHistory() // failed 1: go on from the ts given
	time.Sleep(200 * time.Millisecond)
	r.srv.UserWrites(customer.ID, "after failed 1")
	if e := s.Next(); e.Message == nil || e.Message.Text != "after failed 1" {
		t.Fatalf("got %+v", e)
	}
	if !strings.Contains(r.host.Logs(), "history is outdated") {
		t.Errorf("failed 1 is not logged:\n%s", r.host.Logs())
	}
	if err := r.c.Health(context.Background()); err != nil {
		t.Fatalf("Health = %v", err)
	}
}

func TestOperatorsSendReplyEditAndDelete(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	_, asked := r.srv.UserWrites(customer.ID, "Где мой заказ?")
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "k1", ChatID: chat, Text: "Уже в пути", ReplyToExternalID: strconv.FormatInt(asked.ID, 10)})
	if err != nil || res.State != sdk.DeliverySent {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	sent := r.srv.Sent(customer.ID)
	if len(sent) != 1 || sent[0].Text != "Уже в пути" || sent[0].ReplyTo != asked.ID || strconv.FormatInt(sent[0].ID, 10) != res.ExternalID {
		t.Fatalf("sent = %+v", sent)
	}
	again, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "k1", ChatID: chat, Text: "Уже в пути"})
	if err != nil || again.ExternalID != res.ExternalID || len(r.srv.Sent(customer.ID)) != 1 {
		t.Fatalf("the same key again = %+v, %v", again, err)
	}
	// Even with our record lost, random_id keeps VK from sending twice.
	_ = r.host.StateDelete(ctx, "sent/k1")
	lost, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "k1", ChatID: chat, Text: "Уже в пути"})
	if err != nil || lost.ExternalID != res.ExternalID || len(r.srv.Sent(customer.ID)) != 1 {
		t.Fatalf("the same key without our record = %+v, %v; %d messages", lost, err, len(r.srv.Sent(customer.ID)))
	}
	if err := r.c.Edit(ctx, chat, res.ExternalID, "Уже в пути, будет в пятницу"); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.srv.Message(sent[0].ID); m.Text != "Уже в пути, будет в пятницу" || m.UpdateTime == 0 {
		t.Fatalf("edited = %+v", m)
	}
	if err := r.c.MarkRead(ctx, chat, strconv.FormatInt(asked.ID, 10)); err != nil {
		t.Fatal(err)
	}
	if c := r.srv.Calls("messages.markAsRead"); len(c) != 1 || c[0].Params["start_message_id"] != strconv.FormatInt(asked.ID, 10) {
		t.Fatalf("markAsRead calls = %+v", c)
	}
	if err := r.c.SendTyping(ctx, chat, "Поддержка"); err != nil {
		t.Fatalf("SendTyping: %v", err)
	}
	if c := r.srv.Calls("messages.setActivity"); len(c) != 1 || c[0].Params["peer_id"] != chat || c[0].Params["type"] != "typing" {
		t.Fatalf("setActivity calls = %+v", c)
	}
	if err := r.c.SendTyping(ctx, "not-a-peer", "Поддержка"); channelCode(err) == "" {
		t.Fatalf("typing in a chat id that is no VK peer: %v, want a channel error", err)
	}
	if err := r.c.Delete(ctx, chat, res.ExternalID); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.srv.Message(sent[0].ID); ok {
		t.Fatal("the message is still there")
	}
	if err := r.c.Delete(ctx, chat, res.ExternalID); err != nil {
		t.Fatalf("deleting a deleted message: %v", err)
	}
	// A long text goes as two messages.
	long := strings.Repeat("слово ", 1000)
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "long", ChatID: chat, Text: long}); err != nil {
		t.Fatal(err)
	}
	if s := r.srv.Sent(customer.ID); len(s) != 2 || s[0].Text+s[1].Text != long {
		t.Fatalf("sent %d messages", len(s))
	}
	if strings.Contains(r.host.Logs(), "в пути") {
		t.Errorf("operator text in the log:\n%s", r.host.Logs())
	}
}

func TestFilesGoAsPhotosAndDocuments(t *testing.T) {
	r := newRig(t, `,"sign_messages":true`)
	ctx := context.Background()
	r.srv.UserWrites(customer.ID, "hi")
	photo, _ := r.host.BlobPut(ctx, sdk.Blob{Name: "box.jpg", MIMEType: "image/jpeg", Data: jpeg})
	pdf := []byte("%PDF-1.4 invoice")
	doc, _ := r.host.BlobPut(ctx, sdk.Blob{Name: "invoice.pdf", MIMEType: "application/pdf", Data: pdf})
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "a1", ChatID: chat, Text: "Вот документы", SenderName: "Анна",
		Attachments: []sdk.Attachment{{BlobID: photo}, {BlobID: doc}}})
	if err != nil {
		t.Fatal(err)
	}
	sent := r.srv.Sent(customer.ID)
	if len(sent) != 1 || sent[0].Text != "Вот документы\n\n— Анна" || len(sent[0].Attachments) != 2 ||
		!strings.HasPrefix(sent[0].Attachments[0], "photo-") || !strings.HasPrefix(sent[0].Attachments[1], "doc-") {
		t.Fatalf("sent = %+v", sent)
	}
	if !bytes.Equal(r.srv.FileData(sent[0].Attachments[0]), jpeg) || !bytes.Equal(r.srv.FileData(sent[0].Attachments[1]), pdf) {
		t.Fatal("the uploaded files differ from the blobs")
	}
	// Editing the text keeps the files.
	if err := r.c.Edit(ctx, chat, res.ExternalID, "Вот документы (обновлено)"); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.srv.Message(sent[0].ID); m.Text != "Вот документы (обновлено)" || len(m.Attachments) != 2 {
		t.Fatalf("edited = %+v", m)
	}
}

func TestVKsLimitsComeBackAsChannelErrors(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	r.srv.UserWrites(customer.ID, "hi")
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "x", ChatID: chat, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.ParseInt(res.ExternalID, 10, 64)
	// VK's clock: the message is 25 hours old; ours does not know yet.
	r.srv.Backdate(id, 25*time.Hour)
	if err := r.c.Delete(ctx, chat, res.ExternalID); channelCode(err) != "delete_window_passed" {
		t.Fatalf("deleting a 25 h old message: %v", err)
	}
	if err := r.c.Edit(ctx, chat, res.ExternalID, "changed"); channelCode(err) != "edit_window_passed" {
		t.Fatalf("editing a 25 h old message: %v", err)
	}
	// Our own record says so too: no call needed.
	rec, _, _ := loadRecord(ctx, r.host, "msg/"+res.ExternalID)
	rec.At -= int64((25 * time.Hour).Seconds())
	_ = saveRecord(ctx, r.host, rec, "msg/"+res.ExternalID)
	before := len(r.srv.Calls("messages.delete"))
	if err := r.c.Delete(ctx, chat, res.ExternalID); channelCode(err) != "delete_window_passed" || len(r.srv.Calls("messages.delete")) != before {
		t.Fatalf("deleting our 25 h old message: %v", err)
	}
	// 901: the user never allowed messages.
	r.srv.AddUser(fakevk.User{ID: 7654321, FirstName: "Иван", LastName: "Петров"}, nil)
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "y", ChatID: "7654321", Text: "hello"}); channelCode(err) != "recipient_not_allowed" {
		t.Fatalf("sending to a user without permission: %v", err)
	}
	r.srv.Block(customer.ID)
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "z", ChatID: chat, Text: "hello"}); channelCode(err) != "recipient_blocked" {
		t.Fatalf("sending to a blacklisted user: %v", err)
	}
	for _, bad := range []string{"not-a-chat", "2000000001", "-229876543", ""} {
		if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "w", ChatID: bad, Text: "x"}); channelCode(err) != "chat_unknown" {
			t.Errorf("Send to %q: %v, want chat_unknown", bad, err)
		}
	}
	if err := r.c.Edit(ctx, chat, "0", "x"); channelCode(err) != "message_unknown" {
		t.Fatalf("editing a message id that is none: %v", err)
	}
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "t", ChatID: chat, Template: &sdk.Template{Name: "x", Language: "ru"}}); channelCode(err) != "templates_unsupported" {
		t.Fatalf("a template: %v", err)
	}
}

func TestTooManyRequestsAreWaitedOut(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	r.srv.UserWrites(customer.ID, "hi")
	r.c.api.backoff = 100 * time.Millisecond
	r.srv.Throttle("messages.send", 2)
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "f", ChatID: chat, Text: "after the limit"}); err != nil {
		t.Fatal(err)
	}
	calls := r.srv.Calls("messages.send")
	if len(calls) != 3 || calls[0].Error != 6 || calls[1].Error != 6 || calls[2].Error != 0 {
		t.Fatalf("calls = %+v, want two error 6 then a success", calls)
	}
	if g1, g2 := calls[1].At.Sub(calls[0].At), calls[2].At.Sub(calls[1].At); g1 < 100*time.Millisecond || g2 < 200*time.Millisecond {
		t.Fatalf("waited %v then %v; want a growing backoff from 100 ms", g1, g2)
	}
	if n := len(r.srv.Sent(customer.ID)); n != 1 {
		t.Fatalf("%d messages sent", n)
	}
	r.c.api.backoff, r.c.api.maxWait = 20*time.Millisecond, 100*time.Millisecond
	r.srv.Throttle("messages.send", 10)
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "g", ChatID: chat, Text: "x"}); channelCode(err) != "rate_limited" {
		t.Fatalf("a lasting limit: %v", err)
	}
}

func TestTheTokenAndCommunityAreChecked(t *testing.T) {
	srv := fakevk.New()
	defer srv.Close()
	h := newRecordingHost(t)
	c := newConnector()
	const wrong = "vk1.a.this-is-not-the-community-token-0123"
	good := settingsFor(srv, "")
	fes, err := c.Configure(context.Background(), sdk.ConfigureRequest{Host: h, Settings: bytes.Replace(good, []byte(srv.Token), []byte(wrong), 1)})
	if err != nil || len(fes) != 1 || fes[0].Field != "/token" || fes[0].Code != "token_invalid" {
		t.Fatalf("Configure(wrong token) = %+v, %v", fes, err)
	}
	if strings.Contains(fes[0].Message, wrong) || strings.Contains(h.Logs(), wrong) {
		t.Fatal("the token was echoed")
	}
	fes, _ = c.Configure(context.Background(), sdk.ConfigureRequest{Host: h, Settings: bytes.Replace(good, []byte("229876543"), []byte("1111"), 1)})
	if len(fes) != 1 || fes[0].Field != "/group_id" || fes[0].Code != "group_id_mismatch" {
		t.Fatalf("Configure(another community) = %+v", fes)
	}
	srv.DisableLongPoll()
	fes, _ = c.Configure(context.Background(), sdk.ConfigureRequest{Host: h, Settings: good})
	if len(fes) != 1 || fes[0].Code != "longpoll_disabled" {
		t.Fatalf("Configure(long poll off) = %+v", fes)
	}
	if err := c.Health(context.Background()); channelCode(err) != "not_configured" {
		t.Fatalf("Health after refused settings = %v", err)
	}
}

func TestAnUnreachableVKIsAChannelErrorNotASettingsError(t *testing.T) {
	srv := fakevk.New()
	settings := settingsFor(srv, "")
	srv.Close()
	h := newRecordingHost(t)
	c := newConnector()
	fes, err := c.Configure(context.Background(), sdk.ConfigureRequest{Host: h, Settings: settings})
	if err != nil || len(fes) != 0 {
		t.Fatalf("Configure = %+v, %v", fes, err)
	}
	if herr := c.Health(context.Background()); channelCode(herr) != "channel_unreachable" || strings.Contains(herr.Error(), srv.Token) {
		t.Fatalf("Health = %v", herr)
	}
	_, err = c.Send(context.Background(), sdk.OutboundMessage{IdempotencyKey: "k", ChatID: chat, Text: "x"})
	if channelCode(err) != "channel_unreachable" || strings.Contains(err.Error(), srv.Token) {
		t.Fatalf("Send = %v", err)
	}
	if strings.Contains(h.Logs(), srv.Token) {
		t.Fatalf("the token is in the log:\n%s", h.Logs())
	}
}

func TestCursorsParseStrictly(t *testing.T) {
	for _, good := range []string{"0:0", "41:2", "700000001:99"} {
		if p, ok, err := parseCursor(good); err != nil || !ok || p.String() != good {
			t.Errorf("parseCursor(%q) = %v, %v", good, p, err)
		}
	}
	for _, bad := range []string{"x", "1", "1:-1", "-1:0", "01:0", "1:0x", "\x00not-a-cursor"} {
		if _, _, err := parseCursor(bad); err == nil {
			t.Errorf("parseCursor(%q) accepted", bad)
		}
	}
}
