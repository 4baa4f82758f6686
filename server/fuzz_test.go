package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/server/seed"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// FuzzSyncRequests throws arbitrary bodies at the command endpoint and
// arbitrary parameters at the pull: the server answers every one with a
// JSON result or a JSON error with a code, never a 500 and never a panic.
func FuzzSyncRequests(f *testing.F) {
	f.Add([]byte(`{"commands":[{"id":"1","type":"dialog.take","payload":{"dialogId":"dl-demo-03"}}]}`), "0", "10")
	f.Add([]byte(`{"commands":[{"id":"2","type":"message.send","payload":{"messageId":"m","dialogId":"dl-demo-03","kind":"outbound","text":"<script>x</script>"}}]}`), "-1", "x")
	f.Add([]byte(`{"commands":[{"id":"3","type":"dialog.snooze","payload":{"dialogId":"dl-demo-03","until":"yesterday"}}]}`), "99999999999999999999", "0")
	f.Add([]byte(`[]`), "", "")
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	if err := seed.Demo(context.Background(), st, time.Now()); err != nil {
		f.Fatal(err)
	}
	srv := New(Config{Store: st})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Run(ctx)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tok := fuzzLogin(f, ts.URL)
	f.Fuzz(func(t *testing.T, body []byte, after, limit string) {
		check := func(res *http.Response, err error) {
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var v map[string]any
			if res.StatusCode >= 500 || json.NewDecoder(res.Body).Decode(&v) != nil {
				t.Fatalf("answer %d is a server error or not JSON", res.StatusCode)
			}
			if res.StatusCode >= 400 && v["code"] == "" {
				t.Fatalf("error %d without a code", res.StatusCode)
			}
		}
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/commands", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+tok)
		check(http.DefaultClient.Do(req))
		q := url.Values{"after": {after}, "limit": {limit}}
		req, _ = http.NewRequest("GET", ts.URL+"/api/v1/sync/pull?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		check(http.DefaultClient.Do(req))
	})
}

func fuzzLogin(f *testing.F, base string) string {
	b, _ := json.Marshal(wire.LoginRequest{Email: "sofia@demo.switchboard", Password: seed.DemoPassword})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(string(b)))
	if err != nil {
		f.Fatal(err)
	}
	defer res.Body.Close()
	var r wire.LoginResponse
	_ = json.NewDecoder(res.Body).Decode(&r)
	return r.Token
}
