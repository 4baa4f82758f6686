package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/connectors/whatsapp/internal/fakegraph"
	"switchboard/plugins/sdk"
)

func TestTheWebhookHandshakeWantsTheVerifyToken(t *testing.T) {
	r := newRig(t, "")
	tests := []struct {
		name  string
		query url.Values
		want  int
		body  string
	}{
		{"the right token gets the challenge back", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"a wrong token is refused", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1158201444"}}, 403, ""},
		{"another mode is refused", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {"1"}}, 403, ""},
		{"no challenge is a bad request", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken}}, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(r.hookURL + "?" + tt.query.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			if resp.StatusCode != tt.want || (tt.body != "" && b.String() != tt.body) {
				t.Fatalf("GET = %d %q, want %d %q", resp.StatusCode, b.String(), tt.want, tt.body)
			}
			if strings.Contains(b.String(), verifyToken) {
				t.Fatal("the verify token was echoed")
			}
		})
	}
	if err := r.srv.Subscribe(r.hookURL, "not-the-verify-token"); err == nil {
		t.Fatal("Meta's check with a wrong verify token passed")
	}
}

func TestNotificationsWithoutAValidSignatureAreRefused(t *testing.T) {
	r := newRig(t, "")
	s := r.receive("")
	body := fixture(t, "text.json")
	post := func(sig string) int {
		req, _ := http.NewRequest("POST", r.hookURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if sig != "" {
			req.Header.Set("X-Hub-Signature-256", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct{ name, sig string }{
		{"no signature", ""},
		{"a signature with another secret", fakegraph.Sign("0123456789abcdef0123456789abcdef", body)},
		{"a signature of another body", fakegraph.Sign(r.srv.AppSecret, append(body, ' '))},
		{"a signature without its sha256= prefix", strings.TrimPrefix(fakegraph.Sign(r.srv.AppSecret, body), "sha256=")},
		{"a signature that is not hex", "sha256=zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := post(tt.sig); code != http.StatusUnauthorized {
				t.Fatalf("POST with %s = %d, want 401", tt.name, code)
			}
		})
	}
	s.None(200 * time.Millisecond)
	if code := post(fakegraph.Sign(r.srv.AppSecret, body)); code != http.StatusOK {
		t.Fatalf("POST with Meta's signature = %d", code)
	}
	if e := s.Next(); e.Message == nil || e.Message.Text != "Hi, is my order shipped yet?" {
		t.Fatalf("got %+v", e)
	}
}

func TestDocumentedSamplesBecomeEvents(t *testing.T) {
	const theirReply = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
	blob := func(t *testing.T, r *rig, a sdk.Attachment, id string) {
		t.Helper()
		b, err := r.host.BlobGet(context.Background(), a.BlobID)
		if err != nil || !bytes.Equal(b.Data, fixtureMedia[id].data) || a.Size != int64(len(b.Data)) {
			t.Fatalf("blob of %s = %q, %v", id, b.Data, err)
		}
	}
	tests := []struct {
		fixture string
		check   func(t *testing.T, r *rig, e sdk.Event)
	}{
		{"text.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || m.Text != "Hi, is my order shipped yet?" || m.From.DisplayName != customerName || m.From.Phone != "+"+customer ||
				e.ChatID != customer || e.OccurredAt.Unix() != 1733085600 {
				t.Fatalf("event = %+v / %+v", e, m)
			}
		}},
		{"image.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || m.Text != "The box arrived like this" || len(m.Attachments) != 1 || m.Attachments[0].MIMEType != "image/jpeg" || m.Attachments[0].Name != "image.jpg" {
				t.Fatalf("message = %+v", m)
			}
			blob(t, r, m.Attachments[0], "1479537139650973")
		}},
		{"document.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || m.Text != "My invoice" || len(m.Attachments) != 1 || m.Attachments[0].Name != "invoice-42.pdf" {
				t.Fatalf("message = %+v", m)
			}
			blob(t, r, m.Attachments[0], "1323458981775564")
		}},
		{"voice.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || len(m.Attachments) != 1 || m.Attachments[0].Name != "audio.ogg" || !strings.HasPrefix(m.Attachments[0].MIMEType, "audio/ogg") {
				t.Fatalf("message = %+v", m)
			}
			blob(t, r, m.Attachments[0], "1084254689495286")
		}},
		{"sticker.json", func(t *testing.T, r *rig, e sdk.Event) {
			m := e.Message
			if m == nil || len(m.Attachments) != 1 || m.Attachments[0].MIMEType != "image/webp" {
				t.Fatalf("message = %+v", m)
			}
			blob(t, r, m.Attachments[0], "1031279851296016")
		}},
		{"location.json", func(t *testing.T, r *rig, e sdk.Event) {
			if m := e.Message; m == nil || !strings.Contains(m.Text, "Main office") || !strings.Contains(m.Text, "37.483307,-122.148981") {
				t.Fatalf("message = %+v", m)
			}
		}},
		{"reply.json", func(t *testing.T, r *rig, e sdk.Event) {
			if m := e.Message; m == nil || m.ReplyToExternalID != theirReply || m.Text != "Yes, Friday works" {
				t.Fatalf("message = %+v", m)
			}
		}},
		{"reaction.json", func(t *testing.T, r *rig, e sdk.Event) {
			if a := e.Action; a == nil || a.Action != "reaction" || a.Details["emoji"] != "👍" || a.Details["message_id"] != theirReply {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"button.json", func(t *testing.T, r *rig, e sdk.Event) {
			if m := e.Message; m == nil || m.Text != "Track my order" || m.ReplyToExternalID != theirReply {
				t.Fatalf("message = %+v", m)
			}
		}},
		{"unsupported.json", func(t *testing.T, r *rig, e sdk.Event) {
			if a := e.Action; a == nil || a.Action != "unsupported_message" || a.Details["code"] != "131051" {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"status_sent.json", func(t *testing.T, r *rig, e sdk.Event) {
			if d := e.Delivery; d == nil || d.State != sdk.DeliverySent || d.ExternalID != theirReply || e.ChatID != customer {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"status_delivered.json", func(t *testing.T, r *rig, e sdk.Event) {
			if d := e.Delivery; d == nil || d.State != sdk.DeliveryDelivered {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"status_read.json", func(t *testing.T, r *rig, e sdk.Event) {
			if d := e.Delivery; d == nil || d.State != sdk.DeliveryRead {
				t.Fatalf("event = %+v", e)
			}
		}},
		{"status_failed.json", func(t *testing.T, r *rig, e sdk.Event) {
			if d := e.Delivery; d == nil || d.State != sdk.DeliveryFailed || !strings.HasPrefix(d.Reason, "outside_service_window: ") {
				t.Fatalf("event = %+v", e)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			r := newRig(t, "")
			for id, m := range fixtureMedia {
				r.srv.PutMedia(id, m.mime, m.data)
			}
			r.srv.Post(fixture(t, "other_number.json"))
			r.srv.Post(fixture(t, tt.fixture))
			s := r.receive("")
			tt.check(t, r, s.Next())
			s.None(150 * time.Millisecond)
			logs := r.host.Logs()
			for _, text := range []string{"shipped", "box arrived", "invoice", "Friday", "Hacker Way", "Track my order", "Kerry"} {
				if strings.Contains(logs, text) {
					t.Errorf("customer text %q in the log:\n%s", text, logs)
				}
			}
		})
	}
}

func TestANotificationSentAgainIsStoredOnce(t *testing.T) {
	r := newRig(t, "")
	r.srv.Post(fixture(t, "text.json"))
	r.srv.Post(fixture(t, "text.json"))
	r.srv.Post(fixture(t, "status_read.json"))
	r.srv.Post(fixture(t, "status_read.json"))
	s := r.receive("")
	if e := s.Next(); e.Message == nil {
		t.Fatalf("got %+v", e)
	}
	if e := s.Next(); e.Delivery == nil {
		t.Fatalf("got %+v", e)
	}
	s.None(300 * time.Millisecond)
}

func TestAFileThatDoesNotDownloadIsRetriedByMeta(t *testing.T) {
	r := newRig(t, "")
	m := fixtureMedia["1479537139650973"]
	r.srv.PutMedia("1479537139650973", m.mime, m.data)
	r.srv.FailMedia(2) // WhatsApp is briefly unavailable
	r.srv.Post(fixture(t, "image.json"))
	s := r.receive("")
	if e := s.Next(); e.Message == nil || len(e.Message.Attachments) != 1 {
		t.Fatalf("got %+v", e)
	}
	waitFor(t, "the notification delivered", func() bool { return r.srv.Pending() == 0 })
	if d := r.srv.Deliveries(); len(d) != 1 || d[0].Attempts != 3 {
		t.Fatalf("deliveries = %+v, want one taken at the third attempt", d)
	}
}

func TestAFileWhatsAppNoLongerHasLeavesTheMessage(t *testing.T) {
	r := newRig(t, "")
	r.srv.Post(fixture(t, "image.json")) // its media is not on the server
	s := r.receive("")
	e := s.Next()
	if e.Message == nil || len(e.Message.Attachments) != 0 || e.Message.Text != "The box arrived like this\n[image not available from WhatsApp]" {
		t.Fatalf("got %+v", e.Message)
	}
}

func TestAnOperatorAnswersWithinTheWindow(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	asked := r.srv.UserWrites(customer, customerName, "Where is my order?")
	s := r.receive("")
	if e := s.Next(); e.Message == nil || e.Message.ExternalID != asked {
		t.Fatalf("got %+v", e)
	}
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "k1", ChatID: customer, Text: "On its way", ReplyToExternalID: asked})
	if err != nil || res.State != sdk.DeliverySent {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	sent := r.srv.SentTo(customer)
	if len(sent) != 1 || sent[0].Text != "On its way" || sent[0].ReplyTo != asked || sent[0].ID != res.ExternalID {
		t.Fatalf("sent = %+v", sent)
	}
	again, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "k1", ChatID: customer, Text: "On its way"})
	if err != nil || again.ExternalID != res.ExternalID || len(r.srv.SentTo(customer)) != 1 {
		t.Fatalf("the same key again = %+v, %v", again, err)
	}
	for _, want := range []sdk.DeliveryState{sdk.DeliverySent, sdk.DeliveryDelivered} {
		if d := s.Next().Delivery; d == nil || d.ExternalID != res.ExternalID || d.State != want {
			t.Fatalf("delivery = %+v, want state %v", d, want)
		}
	}
	r.srv.UserReads(res.ExternalID)
	if d := s.Next().Delivery; d == nil || d.State != sdk.DeliveryRead {
		t.Fatalf("delivery = %+v, want read", d)
	}
	if err := r.c.MarkRead(ctx, customer, asked); err != nil {
		t.Fatal(err)
	}
	if reads := r.srv.Reads(); len(reads) != 1 || reads[0] != asked {
		t.Fatalf("reads = %v", reads)
	}
	// A long text goes as two messages.
	long := strings.Repeat("слово ", 1000)
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "long", ChatID: customer, Text: long}); err != nil {
		t.Fatal(err)
	}
	if sent := r.srv.SentTo(customer); len(sent) != 3 || sent[1].Text+sent[2].Text != long {
		t.Fatalf("sent %d messages", len(sent))
	}
	if strings.Contains(r.host.Logs(), "On its way") {
		t.Errorf("operator text in the log:\n%s", r.host.Logs())
	}
}

func TestFilesAreUploadedAndSentByKind(t *testing.T) {
	r := newRig(t, `,"sign_messages":true`)
	ctx := context.Background()
	r.srv.UserWrites(customer, customerName, "hi")
	photo, _ := r.host.BlobPut(ctx, sdk.Blob{Name: "box.jpg", MIMEType: "image/jpeg", Data: jpeg})
	pdf := []byte("%PDF-1.4 invoice")
	doc, _ := r.host.BlobPut(ctx, sdk.Blob{Name: "invoice.pdf", MIMEType: "application/pdf", Data: pdf})
	waitFor(t, "the window open", func() bool { last, _ := lastMessage(ctx, r.host, customer); return !last.IsZero() })
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "a1", ChatID: customer, Text: "Here you are", SenderName: "Anna",
		Attachments: []sdk.Attachment{{BlobID: photo}, {BlobID: doc}}})
	if err != nil {
		t.Fatal(err)
	}
	sent := r.srv.SentTo(customer)
	if len(sent) != 2 || sent[0].Type != "image" || sent[0].Text != "Here you are\n\n— Anna" || !bytes.Equal(sent[0].Media, jpeg) ||
		sent[1].Type != "document" || sent[1].Filename != "invoice.pdf" || !bytes.Equal(sent[1].Media, pdf) || sent[0].ID != res.ExternalID {
		t.Fatalf("sent = %+v", sent)
	}
	if n := len(r.srv.Calls("/media")); n != 2 {
		t.Fatalf("%d uploads, want 2", n)
	}
}

func TestOutsideTheWindowOnlyApprovedTemplatesGo(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	const stranger = "447700900123"
	r.srv.AddUser(stranger, "Jo")
	_, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "t0", Phone: "+44 7700 900123", Text: "Hello!"})
	if channelCode(err) != "outside_service_window" {
		t.Fatalf("free text to a customer who never wrote = %v", err)
	}
	if n := len(r.srv.Calls("/messages")); n != 0 {
		t.Fatalf("%d calls to the messages node; the connector should refuse before", n)
	}
	r.srv.AddTemplate(fakegraph.Template{Name: "order_shipped", Language: "en_US", Status: "APPROVED", Params: 2})
	r.srv.AddTemplate(fakegraph.Template{Name: "spring_sale", Language: "en_US", Status: "PENDING"})
	r.srv.AddTemplate(fakegraph.Template{Name: "old_promo", Language: "en_US", Status: "PAUSED"})
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "t1", Phone: "+44 7700 900123", Text: "Order 42 shipped",
		Template: &sdk.Template{Name: "order_shipped", Language: "en_US", Params: []string{"42", "Friday"}}})
	if err != nil {
		t.Fatal(err)
	}
	sent := r.srv.SentTo(stranger)
	if len(sent) != 1 || sent[0].Template != "order_shipped/en_US" || strings.Join(sent[0].Params, ",") != "42,Friday" || sent[0].ID != res.ExternalID {
		t.Fatalf("sent = %+v", sent)
	}
	tests := []struct {
		name string
		tpl  sdk.Template
		want string
	}{
		{"a template still in review", sdk.Template{Name: "spring_sale", Language: "en_US"}, "template_not_found"},
		{"a template in another language", sdk.Template{Name: "order_shipped", Language: "ru", Params: []string{"1", "2"}}, "template_not_found"},
		{"a paused template", sdk.Template{Name: "old_promo", Language: "en_US"}, "template_paused"},
		{"too few parameters", sdk.Template{Name: "order_shipped", Language: "en_US", Params: []string{"42"}}, "template_params_mismatch"},
		{"a template without its language", sdk.Template{Name: "order_shipped"}, "template_invalid"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "tt" + string(rune('a'+i)), ChatID: stranger, Template: &tt.tpl})
			if channelCode(err) != tt.want {
				t.Fatalf("Send = %v, want %s", err, tt.want)
			}
		})
	}
	// The customer answers: the window opens for 24 hours.
	r.srv.UserWrites(stranger, "Jo", "thanks")
	s := r.receive("")
	for e := s.Next(); e.Message == nil; e = s.Next() {
	}
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "t2", ChatID: stranger, Text: "You're welcome"}); err != nil {
		t.Fatalf("free text within the window: %v", err)
	}
	// 25 hours later it is closed again.
	_ = r.host.StatePut(ctx, windowKey(stranger), []byte("1700000000"))
	_, err = r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "t3", ChatID: stranger, Text: "Anything else?"})
	if channelCode(err) != "outside_service_window" || !strings.Contains(err.Error(), "template") {
		t.Fatalf("free text after the window = %v", err)
	}
}

func TestAMessageWhatsAppFailsLaterComesBackAsAFailedDelivery(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	r.srv.UserWrites(customer, customerName, "hello")
	s := r.receive("")
	s.Next()
	// WhatsApp's clock says the window closed; ours had it open.
	r.srv.Backdate(customer, 25*time.Hour)
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "late", ChatID: customer, Text: "Sorry for the wait"})
	if err != nil {
		t.Fatal(err)
	}
	d := s.Next().Delivery
	if d == nil || d.ExternalID != res.ExternalID || d.State != sdk.DeliveryFailed || !strings.HasPrefix(d.Reason, "outside_service_window: ") ||
		!strings.Contains(d.Reason, "24 hours") {
		t.Fatalf("delivery = %+v", d)
	}
}

func TestStartingADialogByPhone(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	got, err := r.c.CheckContact(ctx, sdk.ContactQuery{Phone: "+7 (916) 123-45-67"})
	if err != nil || !got.Reachable || got.ChatID != "79161234567" {
		t.Fatalf("CheckContact = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "12345", "+7 916 abc", "0079161234567"} {
		if _, err := r.c.CheckContact(ctx, sdk.ContactQuery{Phone: bad}); channelCode(err) != "phone_invalid" {
			t.Errorf("CheckContact(%q) = %v, want phone_invalid", bad, err)
		}
	}
	// 79161234567 has no WhatsApp: the template is accepted, then fails.
	s := r.receive("")
	res, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "p1", Phone: "+7 (916) 123-45-67",
		Template: &sdk.Template{Name: "hello_world", Language: "en_US"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Next().Delivery; d == nil || d.ExternalID != res.ExternalID || d.State != sdk.DeliveryFailed || !strings.HasPrefix(d.Reason, "recipient_unreachable") {
		t.Fatalf("delivery = %+v", d)
	}
	if got, err := r.c.CheckContact(ctx, sdk.ContactQuery{Phone: "79161234567"}); err != nil || got.Reachable {
		t.Fatalf("CheckContact after a 131026 = %+v, %v", got, err)
	}
	// Once the number writes, it is reachable again.
	r.srv.UserWrites("79161234567", "Ivan", "I do have WhatsApp now")
	s.Next()
	if got, _ := r.c.CheckContact(ctx, sdk.ContactQuery{Phone: "+79161234567"}); !got.Reachable {
		t.Fatal("a number that wrote is still unreachable")
	}
}

func TestRateLimitsAreWaitedOutWithBackoff(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	r.srv.UserWrites(customer, customerName, "hi")
	waitFor(t, "the window open", func() bool { last, _ := lastMessage(ctx, r.host, customer); return !last.IsZero() })
	r.c.g.backoff = 100 * time.Millisecond
	r.srv.Throttle(130429, 131056)
	if _, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "f", ChatID: customer, Text: "after the limit"}); err != nil {
		t.Fatal(err)
	}
	calls := r.srv.Calls("/messages")
	if len(calls) != 3 || calls[0].Code != 130429 || calls[1].Code != 131056 || calls[2].Status != 200 {
		t.Fatalf("calls = %+v, want two refusals then a success", calls)
	}
	if g1, g2 := calls[1].At.Sub(calls[0].At), calls[2].At.Sub(calls[1].At); g1 < 100*time.Millisecond || g2 < 200*time.Millisecond {
		t.Fatalf("waited %v then %v; want a growing backoff from 100 ms", g1, g2)
	}
	if n := len(r.srv.SentTo(customer)); n != 1 {
		t.Fatalf("%d messages sent, want 1", n)
	}
	// A limit that lasts past the call's patience is the channel's error.
	r.c.g.backoff, r.c.g.maxWait = 20*time.Millisecond, 100*time.Millisecond
	r.srv.Throttle(80007, 80007, 80007, 80007, 80007, 80007)
	_, err := r.c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "g", ChatID: customer, Text: "x"})
	if channelCode(err) != "rate_limited" {
		t.Fatalf("a lasting limit = %v", err)
	}
}

func TestAWrongTokenOrNumberIsAFieldError(t *testing.T) {
	srv := fakegraph.New()
	defer srv.Close()
	h := newRecordingHost(t)
	c := newConnector()
	const wrong = "EAAJB3this0is0not0the0token0at0all0ZD"
	good := settingsFor(srv, freeAddr(t), "")
	fes, err := c.Configure(context.Background(), sdk.ConfigureRequest{Host: h,
		Settings: bytes.Replace(good, []byte(srv.Token), []byte(wrong), 1)})
	if err != nil || len(fes) != 1 || fes[0].Field != "/access_token" || fes[0].Code != "token_invalid" {
		t.Fatalf("Configure(wrong token) = %+v, %v", fes, err)
	}
	if strings.Contains(fes[0].Message, wrong) || strings.Contains(h.Logs(), wrong) {
		t.Fatal("the token was echoed")
	}
	fes, err = c.Configure(context.Background(), sdk.ConfigureRequest{Host: h,
		Settings: bytes.Replace(good, []byte(srv.PhoneNumberID), []byte("123456789012345"), 1)})
	if err != nil || len(fes) != 1 || fes[0].Field != "/phone_number_id" || fes[0].Code != "phone_number_id_unknown" {
		t.Fatalf("Configure(unknown number) = %+v, %v", fes, err)
	}
	if err := c.Health(context.Background()); channelCode(err) != "not_configured" {
		t.Fatalf("Health after refused settings = %v", err)
	}
}

func TestAnUnreachableGraphAPIIsAChannelErrorNotASettingsError(t *testing.T) {
	srv := fakegraph.New()
	settings := settingsFor(srv, freeAddr(t), "")
	srv.Close()
	h := newRecordingHost(t)
	c := newConnector()
	fes, err := c.Configure(context.Background(), sdk.ConfigureRequest{Host: h, Settings: settings})
	if err != nil || len(fes) != 0 {
		t.Fatalf("Configure = %+v, %v", fes, err)
	}
	defer c.srv.Close()
	if herr := c.Health(context.Background()); channelCode(herr) != "channel_unreachable" || strings.Contains(herr.Error(), srv.Token) {
		t.Fatalf("Health = %v", herr)
	}
	_ = h.StatePut(context.Background(), windowKey(customer), []byte(strconv.FormatInt(time.Now().Unix(), 10)))
	_, err = c.Send(context.Background(), sdk.OutboundMessage{IdempotencyKey: "k", ChatID: customer, Text: "x"})
	if channelCode(err) != "channel_unreachable" || strings.Contains(err.Error(), srv.Token) {
		t.Fatalf("Send = %v", err)
	}
	if strings.Contains(h.Logs(), srv.Token) {
		t.Fatalf("the token is in the log:\n%s", h.Logs())
	}
}
