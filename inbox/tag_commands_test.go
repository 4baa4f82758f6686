package inbox

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCreateTag(t *testing.T) {
	long := strings.Repeat("ж", MaxTagRunes+1)
	tests := []struct {
		name, actor, payload, want string
		// wantName is the stored name when the command succeeds with a change.
		wantName string
	}{
		{"an operator makes a tag on the spot", "anna", `{"tagId":"t1","name":"  Жалоба   на  доставку ","color":"#aa3300"}`, "", "Жалоба на доставку"},
		{"a tag without a colour", "oleg", `{"tagId":"t1","name":"refund"}`, "", "refund"},
		{"a name taken regardless of case and spaces is refused", "anna", `{"tagId":"t1","name":" vip "}`, "tag.exists", ""},
		{"a known id with another name is refused", "anna", `{"tagId":"vip","name":"Gold"}`, "tag.exists", ""},
		{"a resend of a made tag changes nothing", "anna", `{"tagId":"vip","name":"VIP"}`, "", ""},
		{"an empty name is refused", "anna", `{"tagId":"t1","name":"   "}`, "command.malformed", ""},
		{"a name over 40 characters is refused", "anna", `{"tagId":"t1","name":"` + long + `"}`, "tag.name_too_long", ""},
		{"a name of two lines is refused", "anna", `{"tagId":"t1","name":"a\nb"}`, "tag.name_invalid", ""},
		{"a colour that is not #rrggbb is refused", "anna", `{"tagId":"t1","name":"x","color":"red;background:url(x)"}`, "tag.color_invalid", ""},
		{"a tag needs an id", "anna", `{"name":"x"}`, "command.malformed", ""},
		{"a deactivated operator may not", "gone", `{"tagId":"t1","name":"x"}`, "operator.inactive", ""},
		{"the system may not", "", `{"tagId":"t1","name":"x"}`, "command.needs_operator", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMem()
			o, err := m.run(t, tc.actor, t0, "tag.create", tc.payload)
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("tag.create %s = %q, want %q", tc.payload, got, tc.want)
			}
			if tc.want != "" {
				if r, _ := AsRefusal(err); r.Message == "" {
					t.Errorf("refusal %s has no message", r.Code)
				}
				return
			}
			if tc.wantName == "" {
				if !o.Empty() {
					t.Errorf("a resend changed %d tags", len(o.Tags))
				}
				return
			}
			if len(o.Tags) != 1 || o.Tags[0].Name != tc.wantName || m.org.Tags["t1"] == nil {
				t.Fatalf("tag.create made %+v, want one tag %q in the org", o.Tags, tc.wantName)
			}
		})
	}
}

func TestCreateTagRefusalNamesTheExistingTag(t *testing.T) {
	m := newMem()
	_, err := m.run(t, "anna", t0, "tag.create", `{"tagId":"t1","name":"Vip"}`)
	if r, ok := AsRefusal(err); !ok || r.Args["name"] != "VIP" {
		t.Fatalf("tag.create(Vip) = %v, want tag.exists naming VIP", err)
	}
}

// tagged builds a dialog of line sales held by anna with an inbound
// message (returned first), anna's answer m1, anna's private note n1,
// oleg's comment c1 and anna's deleted comment gone1, and a second dialog
// with message other1.
func tagged(t *testing.T) (*mem, string, string) {
	t.Helper()
	m, id := queued(t, "anna")
	var inbound string
	for _, x := range m.messages {
		if x.DialogID == id && x.Kind == MsgInbound {
			inbound = x.ID
		}
	}
	send := func(actor, mid, kind string) {
		m.must(t, actor, t0, "message.send", fmt.Sprintf(`{"messageId":%q,"dialogId":%q,"kind":%q,"text":"text of %s"}`, mid, id, kind, mid))
	}
	send("anna", "m1", "outbound")
	send("anna", "n1", "note")
	send("oleg", "c1", "comment")
	send("anna", "gone1", "comment")
	m.must(t, "anna", t0, "message.delete", `{"messageId":"gone1"}`)
	other := m.inbound(t, "tg", "c2", "y0", t0)
	for _, x := range m.messages {
		if x.DialogID == other.ID {
			m.messages["other1"] = x.Clone()
			m.messages["other1"].ID = "other1"
		}
	}
	m.org.Tags["refund"] = &Tag{ID: "refund", Name: "refund"}
	return m, id, inbound
}

func TestTagMessages(t *testing.T) {
	many := make([]string, MaxTaggedMessages+1)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprint("m", i))
	}
	tests := []struct {
		name, actor string
		ids         string // the messageIds JSON array's items; "$in" stands for the inbound message
		tag, want   string
		// tagged are the messages that carry the tag afterwards.
		tagged []string
	}{
		{"the assignee tags two messages at once", "anna", `"$in","m1"`, "vip", "", []string{"$in", "m1"}},
		{"a colleague of the line tags the assignee's dialog", "oleg", `"c1"`, "vip", "", []string{"c1"}},
		{"the author tags its own private note", "anna", `"n1"`, "vip", "", []string{"n1"}},
		{"an operator of another line may not", "taras", `"m1"`, "vip", "dialog.not_found", nil},
		{"someone else's private note is refused like a missing message", "oleg", `"n1"`, "vip", "message.not_found", nil},
		{"a message of another dialog is refused", "anna", `"m1","other1"`, "vip", "message.not_found", nil},
		{"a message that does not exist is refused", "anna", `"ghost"`, "vip", "message.not_found", nil},
		{"a deleted message is refused", "anna", `"gone1"`, "vip", "message.deleted", nil},
		{"an unknown tag is refused", "anna", `"m1"`, "nope", "tag.not_found", nil},
		{"no messages is refused", "anna", ``, "vip", "command.malformed", nil},
		{"an empty id is refused", "anna", `""`, "vip", "command.malformed", nil},
		{"more than 200 messages is refused", "anna", strings.Join(many, ","), "vip", "tag.too_many_messages", nil},
		{"a message named twice is tagged once", "anna", `"m1","m1"`, "vip", "", []string{"m1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id, inbound := tagged(t)
			ids := strings.ReplaceAll(tc.ids, "$in", inbound)
			o, err := m.run(t, tc.actor, t0, "message.tag", `{"dialogId":"`+id+`","tagId":"`+tc.tag+`","messageIds":[`+ids+`]}`)
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("message.tag [%s] by %s = %q, want %q", tc.ids, tc.actor, got, tc.want)
			}
			if tc.want != "" {
				if r, _ := AsRefusal(err); r.Message == "" {
					t.Errorf("refusal %s has no message", r.Code)
				}
				return
			}
			var got, want []string
			for mid, x := range m.messages {
				if slices.Contains(x.Tags, tc.tag) {
					got = append(got, mid)
				}
			}
			for _, w := range tc.tagged {
				want = append(want, strings.ReplaceAll(w, "$in", inbound))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("tagged messages = %v, want %v", got, want)
			}
			if len(o.Messages) != len(want) || len(o.Dialogs) != 0 {
				t.Errorf("outcome has %d messages and %d dialogs, want %d messages only", len(o.Messages), len(o.Dialogs), len(want))
			}
		})
	}
}

func TestMessageTagsOnlyAccumulate(t *testing.T) {
	m, id, _ := tagged(t)
	tag := func(tagID string) *Outcome {
		return m.must(t, "anna", t0.Add(time.Minute), "message.tag", `{"dialogId":"`+id+`","tagId":"`+tagID+`","messageIds":["m1"]}`)
	}
	tag("vip")
	if o := tag("vip"); !o.Empty() {
		t.Errorf("tagging m1 with vip again changed %d messages", len(o.Messages))
	}
	tag("refund")
	if got := m.messages["m1"].Tags; !slices.Equal(got, []string{"vip", "refund"}) {
		t.Errorf("m1 tags = %v, want [vip refund]: a tag once set stays", got)
	}
	if m.messages["m1"].Text != "text of m1" || m.messages["m1"].EditedAt != (time.Time{}) {
		t.Errorf("tagging edited the message: %+v", m.messages["m1"])
	}
	for _, typ := range []string{"message.untag", "message.tag.remove", "tag.delete"} {
		if _, err := DecodeCommand(typ, []byte(`{}`)); refusalCode(err) != "command.unknown" {
			t.Errorf("DecodeCommand(%s) = %v, want command.unknown: message tags are never taken off", typ, err)
		}
	}
}

// A tag made on the spot is usable at once, by its maker and by colleagues,
// on messages and on the dialog; the dialog's tags come and go with log
// entries.
func TestTagMadeOnTheSpotTagsMessagesAndTheDialog(t *testing.T) {
	m, id, inbound := tagged(t)
	m.must(t, "anna", t0, "tag.create", `{"tagId":"t-new","name":"Жалоба"}`)
	m.must(t, "anna", t0, "message.tag", `{"dialogId":"`+id+`","tagId":"t-new","messageIds":["`+inbound+`","m1"]}`)
	o := m.must(t, "oleg", t0, "dialog.tag", `{"dialogId":"`+id+`","tagId":"t-new"}`)
	if !slices.Equal(m.dialogs[id].Tags, []string{"t-new"}) || !hasEvent(o, EvTagged) || o.Events[0].To != "t-new" {
		t.Fatalf("dialog tags = %v, events %v; want [t-new] with a tagged entry", m.dialogs[id].Tags, eventTypes(o))
	}
	if o := m.must(t, "oleg", t0, "dialog.tag", `{"dialogId":"`+id+`","tagId":"t-new"}`); !o.Empty() {
		t.Errorf("tagging the dialog twice changed it")
	}
	if _, err := m.run(t, "taras", t0, "dialog.tag", `{"dialogId":"`+id+`","tagId":"t-new"}`); refusalCode(err) != "dialog.not_found" {
		t.Errorf("dialog.tag by an operator of another line = %v, want dialog.not_found", err)
	}
	o = m.must(t, "anna", t0, "dialog.untag", `{"dialogId":"`+id+`","tagId":"t-new"}`)
	if len(m.dialogs[id].Tags) != 0 || !hasEvent(o, EvUntagged) {
		t.Fatalf("after untag: tags %v, events %v", m.dialogs[id].Tags, eventTypes(o))
	}
	if o := m.must(t, "anna", t0, "dialog.untag", `{"dialogId":"`+id+`","tagId":"t-new"}`); !o.Empty() {
		t.Errorf("untagging a dialog without the tag changed it")
	}
	if !slices.Contains(m.messages["m1"].Tags, "t-new") {
		t.Errorf("untagging the dialog took the tag off its message")
	}
}

func TestTagKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{{"VIP", " vip "}, {"Жалоба  на доставку", "жалоба на доставку"}} {
		if TagKey(tc.a) != TagKey(tc.b) {
			t.Errorf("TagKey(%q) = %q, TagKey(%q) = %q; want equal", tc.a, TagKey(tc.a), tc.b, TagKey(tc.b))
		}
	}
	if TagKey("vip") == TagKey("v ip") {
		t.Errorf("TagKey joins words")
	}
}
