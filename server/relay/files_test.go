package relay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// TestFilesTravelBetweenOperatorAndCustomerThroughTheRealWebsiteChat
// runs the real webchat plugin under the relay: its capabilities reach
// the channel entity, a customer's file lands in the server's store for
// operators to fetch, and an operator's uploaded file reaches the
// customer's page through the plugin's Send.
func TestFilesTravelBetweenOperatorAndCustomerThroughTheRealWebsiteChat(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, b.open(t), "")
			ctx := context.Background()
			// The connector's Describe reaches every desktop through the
			// channel entity.
			var caps inbox.Capabilities
			eventually(t, "the chat's capabilities on its channel", func() bool {
				org, err := e.st.Org(ctx)
				if err == nil {
					caps = org.Channels["ch-webchat"].Capabilities
				}
				return caps.Attachments
			})
			if caps.MaxAttachmentBytes != 10<<20 || caps.MaxAttachments != 10 || !caps.Typing || !caps.Audio {
				t.Errorf("capabilities = %+v, want files up to 10 MiB, 10 at once, typing and audio", caps)
			}

			cust := e.customer()
			eventually(t, "the chat serving customers", func() bool {
				res, err := cust.c.Get(cust.base + "/api/config")
				if err == nil {
					res.Body.Close()
				}
				return err == nil && res.StatusCode == 200
			})
			call(t, cust.c, "POST", cust.base+"/api/session", "", map[string]string{"name": "Olga"}, nil)
			receipt := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1, 2, 3}, 5000)...)
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("text", "my receipt")
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="file"; filename="receipt.png"`)
			h.Set("Content-Type", "image/png")
			w, _ := mw.CreatePart(h)
			_, _ = w.Write(receipt)
			_ = mw.Close()
			res, err := cust.c.Post(cust.base+"/api/files", mw.FormDataContentType(), &buf)
			if err != nil || res.StatusCode != 201 {
				t.Fatalf("customer upload = %v %v", res, err)
			}
			res.Body.Close()

			// The operator finds the file on the message and fetches it.
			taras := e.login("taras@demo.switchboard")
			var in *inbox.Message
			eventually(t, "the customer's file at the server", func() bool { in = e.messageWith(taras, "my receipt"); return in != nil })
			if len(in.Attachments) != 1 || in.Attachments[0].Name != "receipt.png" || in.Attachments[0].Size != int64(len(receipt)) {
				t.Fatalf("inbound attachments = %+v", in.Attachments)
			}
			if got := fetch(t, http.DefaultClient, e.api.URL+"/api/v1/files/"+in.Attachments[0].BlobID, taras); !bytes.Equal(got, receipt) {
				t.Fatalf("the operator fetched %d bytes, want the customer's %d", len(got), len(receipt))
			}

			// The operator uploads two files and sends them.
			doc := bytes.Repeat([]byte("invoice line\n"), 3000)
			var ids []string
			for _, body := range [][]byte{doc, []byte("%PDF-1.4 small")} {
				req, _ := http.NewRequest("POST", e.api.URL+"/api/v1/files", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+taras)
				req.Header.Set(wire.ProtocolHeader, "1")
				res, err := http.DefaultClient.Do(req)
				if err != nil || res.StatusCode != 201 {
					t.Fatalf("operator upload = %v %v", res, err)
				}
				var f store.File
				_ = json.NewDecoder(res.Body).Decode(&f)
				res.Body.Close()
				ids = append(ids, f.ID)
			}
			payload, _ := json.Marshal(map[string]any{"messageId": "m-files", "dialogId": in.DialogID, "kind": "outbound", "text": "Here you are",
				"attachments": []inbox.Attachment{{BlobID: ids[0], Name: "invoice.txt", MIME: "text/plain", Size: int64(len(doc))},
					{BlobID: ids[1], Name: "terms.pdf", MIME: "application/pdf", Size: 14}}})
			var cr wire.CommandsResponse
			call(t, http.DefaultClient, "POST", e.api.URL+"/api/v1/commands", taras,
				wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: "cmd-files", Type: "message.send", Payload: payload}}}, &cr)
			if len(cr.Results) != 1 || !cr.Results[0].OK {
				t.Fatalf("send = %+v", cr)
			}
			var files []struct{ ID, Name string }
			eventually(t, "the operator's files in the customer's chat", func() bool {
				var hist struct {
					Lines []struct {
						From, Text string
						Files      []struct{ ID, Name string }
					}
				}
				call(t, cust.c, "GET", cust.base+"/api/history", "", nil, &hist)
				for _, l := range hist.Lines {
					if l.From == "operator" && l.Text == "Here you are" {
						files = l.Files
						return true
					}
				}
				return false
			})
			if len(files) != 2 || files[0].Name != "invoice.txt" || files[1].Name != "terms.pdf" {
				t.Fatalf("the customer's files = %+v", files)
			}
			if got := fetch(t, cust.c, cust.base+"/api/files/"+files[0].ID, ""); !bytes.Equal(got, doc) {
				t.Errorf("the customer downloaded %d bytes, want the operator's %d", len(got), len(doc))
			}
			eventually(t, "the delivery recorded", func() bool {
				ms, _ := e.st.Messages(ctx, in.DialogID)
				for _, m := range ms {
					if m.ID == "m-files" {
						return m.Delivery == inbox.DeliverySent || m.Delivery == inbox.DeliveryDelivered
					}
				}
				return false
			})
		})
	}
}

// fetch GETs a URL with c (the customer's client carries its cookie), with
// a bearer token when given, and returns the body of a 200.
func fetch(t *testing.T, c *http.Client, url, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set(wire.ProtocolHeader, "1")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", url, res.StatusCode, b)
	}
	return b
}
