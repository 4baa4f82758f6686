package wire

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"strings"
	"testing"
)

func TestDeflateFrameRoundTrip(t *testing.T) {
	text, _ := json.Marshal(Frame{Type: FrameChanges, Head: 42, Changes: []Change{
		{Seq: 41, Kind: KindMessage, ID: "m1", Op: OpPut, Data: json.RawMessage(`{"id":"m1","text":"Оплата по счёту <script>"}`)},
		{Seq: 42, Kind: KindDialog, ID: "d1", Op: OpDel},
	}})
	b := EncodeDeflateFrame(42, text)
	if head, err := DeflateFrameHead(b); err != nil || head != 42 {
		t.Fatalf("head = %d, %v; want 42", head, err)
	}
	var in Inflater
	for range 3 { // the inflater is reused from frame to frame
		got, err := in.Inflate(b)
		if err != nil || !bytes.Equal(got, text) {
			t.Fatalf("inflate = %q, %v; want %q", got, err, text)
		}
	}
	big := []byte(`{"type":"changes","changes":[` + strings.Repeat(`{"seq":1,"kind":"message","id":"x","op":"put","data":{"text":"здравствуйте"}},`, 2000) + `{}],"head":1}`)
	c := EncodeDeflateFrame(1, big)
	if len(c) > len(big)/10 {
		t.Errorf("a repetitive frame of %d bytes compressed to %d, want under a tenth", len(big), len(c))
	}
	if got, err := in.Inflate(c); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("inflate after a smaller frame: %v", err)
	}
}

func TestDeflateFrameRefusesWhatIsNotOne(t *testing.T) {
	good := EncodeDeflateFrame(7, []byte(`{"type":"changes","head":7}`))
	var bomb bytes.Buffer
	bomb.Write(good[:9])
	w, _ := flate.NewWriter(&bomb, flate.BestCompression)
	_, _ = w.Write(make([]byte, 1<<20))
	_ = w.Close()
	cases := []struct {
		name, want string
		b          []byte
	}{
		{"empty", "shorter than its header", nil},
		{"header cut", "shorter than its header", good[:5]},
		{"unknown format", "unknown format 2", append([]byte{2}, good[1:]...)},
		{"body cut", "unexpected EOF", good[:len(good)-3]},
		{"not deflate", "compressed frame", append(append([]byte{}, good[:9]...), 0xff, 0xff, 0xff, 0xff)},
		{"inflates too far", "inflates past its limit of 65536 bytes", bomb.Bytes()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Inflater{Limit: 64 << 10}
			_, err := in.Inflate(c.b)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v; want it to say %q", err, c.want)
			}
			// A refused frame leaves the inflater usable.
			if got, err := in.Inflate(good); err != nil || string(got) != `{"type":"changes","head":7}` {
				t.Fatalf("after a bad frame: %q, %v", got, err)
			}
		})
	}
}
