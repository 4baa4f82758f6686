package inbox

import (
	"strings"
	"testing"
	"time"
)

func TestExportMessages(t *testing.T) {
	m, id := queued(t, "anna")
	send := func(who, msgID, kind, text string) {
		m.must(t, who, t0, "message.send", `{"messageId":"`+msgID+`","dialogId":"`+id+`","kind":"`+kind+`","text":"`+text+`"}`)
	}
	send("anna", "out", "outbound", "Hello")
	send("anna", "comment", "comment", "internal")
	send("anna", "annas-note", "note", "mine")
	send("oleg", "olegs-note", "note", "his")
	other := m.inbound(t, "tg", "c2", "y0", t0)
	var inboundID string
	for _, x := range m.messages {
		if x.DialogID == id && x.Kind == MsgInbound {
			inboundID = x.ID
		}
	}
	all := func() []*Message {
		var out []*Message
		for _, x := range m.messages {
			out = append(out, x)
		}
		return out
	}

	tests := []struct {
		name  string
		actor string
		ids   []string
		want  []string // exported ids, any order; nil with a refusal
		code  string
	}{
		{"the whole conversation is what the customer and the team said", "anna", nil, []string{inboundID, "out"}, ""},
		{"a colleague of the line exports the whole conversation too", "oleg", nil, []string{inboundID, "out"}, ""},
		{"a selection may hold a comment and one's own note", "anna", []string{"comment", "annas-note", "out"}, []string{"comment", "annas-note", "out"}, ""},
		{"a colleague's private note cannot be selected", "anna", []string{"out", "olegs-note"}, nil, "export.message_unknown"},
		{"a message of another dialog cannot be selected", "anna", []string{"out", other.LastMessageID}, nil, "export.message_unknown"},
		{"an operator of another line does not see the dialog", "taras", nil, nil, "dialog.not_found"},
		{"a supervisor exports any dialog", "sofia", []string{"comment"}, []string{"comment"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExportMessages(m.org, tc.actor, m.dialogs[id], all(), tc.ids)
			if code := refusalCode(err); code != tc.code {
				t.Fatalf("ExportMessages by %s = %q, want %q", tc.actor, code, tc.code)
			}
			have := map[string]bool{}
			for _, x := range got {
				have[x.ID] = true
			}
			if len(have) != len(tc.want) {
				t.Errorf("exported %v, want %v", have, tc.want)
			}
			for _, w := range tc.want {
				if !have[w] {
					t.Errorf("exported %v, want %v", have, tc.want)
				}
			}
		})
	}

	onlyNotes := newMem()
	d := &Dialog{ID: "quiet", LineID: "sales", Status: StatusInProgress, AssigneeID: "anna", CreatedAt: t0}
	notes := []*Message{{ID: "n", DialogID: "quiet", Kind: MsgNote, AuthorID: "anna", CreatedAt: t0.Add(time.Minute)}}
	if _, err := ExportMessages(onlyNotes.org, "anna", d, notes, nil); refusalCode(err) != "export.empty" {
		t.Errorf("exporting a dialog of private notes = %v, want export.empty", err)
	}
}

func TestExportEmailChecks(t *testing.T) {
	tests := []struct {
		to, subject string
		want        string // bare address, or the refusal code
	}{
		{"boss@example.com", "Conversation #12", "boss@example.com"},
		{" Boss <boss@example.com> ", "Conversation #12", "boss@example.com"},
		{"", "Conversation", "export.bad_recipient"},
		{"not an address", "Conversation", "export.bad_recipient"},
		{"a@example.com, b@example.com", "Conversation", "export.bad_recipient"},
		{"boss@example.com", "   ", "export.no_subject"},
		{"boss@example.com", "two\nlines", "export.bad_subject"},
		{"boss@example.com", strings.Repeat("s", 201), "export.bad_subject"},
	}
	for _, tc := range tests {
		r := ExportRequest{To: tc.to, Subject: tc.subject}
		addr, err := r.CheckEmail()
		got := addr
		if err != nil {
			got = refusalCode(err)
		}
		if got != tc.want {
			t.Errorf("CheckEmail(%q, %q) = %q, want %q", tc.to, tc.subject, got, tc.want)
		}
	}
}
