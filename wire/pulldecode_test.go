package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// canonical writes a page as the team server does (server/sync.go's
// encodePull): keys in order, no spaces, entities' JSON as stored.
func canonical(changes string, next int64, more bool, head int64) []byte {
	m := "false"
	if more {
		m = "true"
	}
	return []byte(`{"changes":[` + changes + `],"next":` + itoa(next) + `,"more":` + m + `,"head":` + itoa(head) + "}\n")
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// pullPages are pages every decoder must read alike.
var pullPages = [][]byte{
	canonical(``, 0, false, 0),
	canonical(`{"seq":1,"kind":"dialog","id":"d1","op":"put","data":{"id":"d1","tags":["a","b"],"n":{"x":[1,{"y":null}]},"ok":true}}`, 1, false, 9),
	canonical(`{"seq":2,"kind":"message","id":"m1","op":"put","data":{"text":"Оплата \"по\" счёту \\ <script>alert(1)</script> \u00e9 \ud83d\ude00","a":[]}},{"seq":3,"kind":"dialog","id":"d1","op":"del"}`, 3, true, 3),
	canonical(`{"seq":4,"kind":"workspace","id":"ws","op":"put","data":{"n":-1.5e3,"s":"}],{["}}`, 4, false, 4),
	canonical(`{"seq":5,"kind":"tag","id":"t","op":"put","data":"a string entity"},{"seq":6,"kind":"tag","id":"u","op":"put","data":123}`, 6, false, 6),
	// Not the server's layout: encoding/json reads these.
	[]byte(`{"changes": [{"seq":1,"kind":"dialog","id":"d1","op":"put","data":{"a":1}}], "next":1, "more":false, "head":1}`),
	[]byte(`{"next":1,"more":false,"head":1,"changes":[{"kind":"dialog","seq":1,"id":"d1","op":"put"}]}`),
	canonical(`{"seq":1,"kind":"client","id":"c\u003c1","op":"put","data":{"a":1}}`, 1, false, 1),
	canonical(`{"seq":1,"kind":"client","id":"c1","op":"put","data":null}`, 1, false, 1),
	canonical(`{"seq":1,"kind":"client","id":"c1","op":"put","data":{ "a" : 1 }}`, 1, false, 1),
}

func TestDecodePullResponseReadsAsEncodingJSONDoes(t *testing.T) {
	for i, b := range pullPages {
		var want PullResponse
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("page %d is not JSON: %v", i, err)
		}
		got, err := DecodePullResponse(b)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("page %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	// The server's pages take the fast path.
	for i, b := range pullPages[:5] {
		if _, ok := decodeCanonicalPull(b); !ok {
			t.Errorf("page %d, in the server's layout, was not read by the fast path", i)
		}
	}
}

func TestDecodePullResponseRefusesWhatIsNotAPage(t *testing.T) {
	for _, b := range []string{
		``,
		`{"changes":[`,
		`{"changes":[{"seq":1,"kind":"dialog","id":"d1","op":"put","data":{"a":1}],"next":1,"more":false,"head":1}`,
		`{"changes":[{"seq":1,"kind":"dialog","id":"d1","op":"put","data":{"a":"1}}],"next":1,"more":false,"head":1}`,
		`{"changes":[{"seq":"1","kind":"dialog","id":"d1","op":"put"}],"next":1,"more":false,"head":1}`,
		`{"changes":[],"next":1,"more":false,"head":1}trailing`,
		"{\"changes\":[{\"seq\":1,\"kind\":\"dialog\",\"id\":\"d\x01\",\"op\":\"put\"}],\"next\":1,\"more\":false,\"head\":1}",
	} {
		if _, err := DecodePullResponse([]byte(b)); err == nil {
			t.Errorf("%q decoded without an error", b)
		}
	}
}

// FuzzDecodePullResponse: the fast path never reads a page differently from
// encoding/json, and accepts JSON that is not valid only where an entity's
// own JSON is not (the replica refuses that entity).
func FuzzDecodePullResponse(f *testing.F) {
	for _, b := range pullPages {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := decodeCanonicalPull(b)
		if !ok {
			return
		}
		if json.Valid(b) {
			var want PullResponse
			if err := json.Unmarshal(b, &want); err != nil {
				if strings.Contains(err.Error(), "cannot unmarshal") {
					t.Fatalf("fast path read %q, encoding/json refused it: %v", b, err)
				}
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q:\n fast %+v\n json %+v", b, got, want)
			}
			return
		}
		for _, c := range got.Changes {
			if len(c.Data) > 0 && !json.Valid(c.Data) {
				return
			}
		}
		t.Fatalf("fast path read %q, which is not JSON, yet every entity in it is", b)
	})
}
