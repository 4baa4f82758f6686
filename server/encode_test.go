package server

import (
	"encoding/json"
	"reflect"
	"testing"

	"switchboard/server/store"
	"switchboard/wire"
)

func TestEncodePullMatchesEncodingJSON(t *testing.T) {
	p := store.Page{Next: 7, Head: 9, More: true, Changes: []wire.Change{
		{Seq: 5, Kind: wire.KindDialog, ID: "plain", Op: wire.OpPut, Data: json.RawMessage(`{"id":"plain","text":"Привет"}`)},
		{Seq: 6, Kind: wire.KindMessage, ID: "quo\"te\\and\nnewline-ё", Op: wire.OpDel},
		{Seq: 7, Kind: wire.KindEvent, ID: "</script>", Op: wire.OpPut, Data: json.RawMessage(`null`)},
	}}
	var got, want wire.PullResponse
	if err := json.Unmarshal(encodePull(p), &got); err != nil {
		t.Fatalf("encodePull is not JSON: %v\n%s", err, encodePull(p))
	}
	b, _ := json.Marshal(wire.PullResponse{Changes: p.Changes, Next: p.Next, More: p.More, Head: p.Head})
	_ = json.Unmarshal(b, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("encodePull = %+v\nencoding/json = %+v", got, want)
	}
	// The desktop's decoder reads the page as encoding/json does.
	fast, err := wire.DecodePullResponse(encodePull(p))
	if err != nil || !reflect.DeepEqual(fast, want) {
		t.Errorf("wire.DecodePullResponse = %+v, %v\nencoding/json = %+v", fast, err, want)
	}
}

func TestEncodeChangesMatchesEncodingJSON(t *testing.T) {
	changes := []store.Logged{
		{Change: wire.Change{Seq: 5, Kind: wire.KindDialog, ID: "plain", Op: wire.OpPut, Data: json.RawMessage(`{"id":"plain","text":"Привет"}`)}},
		{Change: wire.Change{Seq: 6, Kind: wire.KindMessage, ID: "skipped", Op: wire.OpPut, Data: json.RawMessage(`{}`)}},
		{Change: wire.Change{Seq: 7, Kind: wire.KindMessage, ID: "quo\"te\\and\nnewline-ё", Op: wire.OpDel}},
		{Change: wire.Change{Seq: 8, Kind: wire.KindEvent, ID: "</script>", Op: wire.OpPut, Data: json.RawMessage(`null`)}},
	}
	var got, want wire.Frame
	b := encodeChanges(changes, []int{0, 2, 3}, 9)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("encodeChanges is not JSON: %v\n%s", err, b)
	}
	_ = json.Unmarshal(encodeFrame(wire.Frame{Type: wire.FrameChanges, Head: 9,
		Changes: []wire.Change{changes[0].Change, changes[2].Change, changes[3].Change}}), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("encodeChanges = %+v\nencoding/json = %+v", got, want)
	}
}
