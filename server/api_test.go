package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestProtocolNegotiation(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			header   string
			status   int
			code     string
			inMesage string
		}{
			{"0", http.StatusUpgradeRequired, "protocol.too_old", "Update the app"},
			{"99", http.StatusUpgradeRequired, "protocol.too_new", "update the server"},
			{"one", http.StatusBadRequest, "protocol.malformed", "number"},
		} {
			req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/auth/login", strings.NewReader(`{}`))
			req.Header.Set(wire.ProtocolHeader, c.header)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body wire.Error
			_ = json.NewDecoder(res.Body).Decode(&body)
			res.Body.Close()
			if res.StatusCode != c.status || body.Code != c.code || !strings.Contains(body.Message, c.inMesage) {
				t.Errorf("protocol %s = %d %+v, want %d %s mentioning %q", c.header, res.StatusCode, body, c.status, c.code, c.inMesage)
			}
		}
		code, body := e.call("GET", "/api/v1/version", "", nil)
		if code != 200 || !strings.Contains(string(body), `"protocols":[1]`) {
			t.Errorf("version = %d %s", code, body)
		}
		if code, _ := e.call("GET", "/healthz", "", nil); code != 200 {
			t.Errorf("healthz = %d", code)
		}
	})
}

func TestSignIn(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		code, body := e.call("POST", "/api/v1/auth/login", "", wire.LoginRequest{Email: "anna@demo.switchboard", Password: "wrong-password"})
		wantError(t, "wrong password", code, body, 401, "auth.invalid")
		code, body = e.call("POST", "/api/v1/auth/login", "", wire.LoginRequest{Email: "nobody@demo.switchboard", Password: "demo1234"})
		wantError(t, "unknown e-mail", code, body, 401, "auth.invalid")
		code, body = e.call("POST", "/api/v1/auth/login", "", wire.LoginRequest{})
		wantError(t, "empty sign-in", code, body, 422, "auth.missing")

		tok := e.login("ANNA@demo.switchboard")
		code, body = e.call("GET", "/api/v1/me", tok, nil)
		if code != 200 || !strings.Contains(string(body), "op-anna") {
			t.Fatalf("me = %d %s", code, body)
		}
		code, body = e.call("GET", "/api/v1/me", "not-a-token", nil)
		wantError(t, "bad token", code, body, 401, "auth.expired")
		code, body = e.call("GET", "/api/v1/me", "", nil)
		wantError(t, "no token", code, body, 401, "auth.required")
		if code, _ := e.call("POST", "/api/v1/auth/logout", tok, nil); code != 200 {
			t.Fatalf("logout = %d", code)
		}
		code, body = e.call("GET", "/api/v1/me", tok, nil)
		wantError(t, "token after logout", code, body, 401, "auth.expired")

		// Guessing is slowed down: after 5 failures even the right password waits.
		for range 5 {
			e.call("POST", "/api/v1/auth/login", "", wire.LoginRequest{Email: "taras@demo.switchboard", Password: "guess-guess"})
		}
		code, body = e.call("POST", "/api/v1/auth/login", "", wire.LoginRequest{Email: "taras@demo.switchboard", Password: "demo1234"})
		wantError(t, "sign-in after 5 failures", code, body, 429, "auth.rate_limited")
	})
}

func TestBadInput(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		tok := e.login("admin@demo.switchboard")
		cases := []struct {
			name, method, path, body string
			status                   int
			code                     string
		}{
			{"malformed JSON", "POST", "/api/v1/commands", `{"commands": [`, 400, "request.malformed"},
			{"unknown field", "POST", "/api/v1/commands", `{"commandz": []}`, 400, "request.unknown_field"},
			{"wrong type", "POST", "/api/v1/commands", `{"commands": "take"}`, 400, "request.wrong_type"},
			{"two values", "POST", "/api/v1/commands", `{"commands": []} {}`, 400, "request.malformed"},
			{"empty body", "POST", "/api/v1/commands", ``, 400, "request.malformed"},
			{"no commands", "POST", "/api/v1/commands", `{"commands": []}`, 422, "commands.count"},
			{"command without id", "POST", "/api/v1/commands", `{"commands": [{"type": "dialog.take"}]}`, 422, "commands.invalid"},
			{"oversized body", "POST", "/api/v1/commands", `{"commands": [{"id": "x", "type": "` + strings.Repeat("a", 2<<20) + `"}]}`, 413, "request.too_large"},
			{"negative after", "GET", "/api/v1/sync/pull?after=-1", "", 400, "request.wrong_type"},
			{"unknown route", "GET", "/api/v1/nothing", "", 404, "request.not_found"},
			{"unknown admin section", "PUT", "/api/v1/admin/planets/x", `{}`, 404, "request.not_found"},
			{"operator without name", "PUT", "/api/v1/admin/operators/op-new", `{"email": "n@x.test", "role": "operator", "active": true, "password": "12345678"}`, 422, "validation.required"},
			{"operator with bad e-mail", "PUT", "/api/v1/admin/operators/op-new", `{"name": "N", "email": "not-mail", "role": "operator", "active": true, "password": "12345678"}`, 422, "validation.invalid"},
			{"operator with unknown role", "PUT", "/api/v1/admin/operators/op-new", `{"name": "N", "email": "n@x.test", "role": "king", "active": true, "password": "12345678"}`, 422, "validation.unknown"},
			{"operator with short password", "PUT", "/api/v1/admin/operators/op-new", `{"name": "N", "email": "n@x.test", "role": "operator", "active": true, "password": "123"}`, 422, "validation.too_short"},
			{"operator with a taken e-mail", "PUT", "/api/v1/admin/operators/op-new", `{"name": "N", "email": "anna@demo.switchboard", "role": "operator", "active": true, "password": "12345678"}`, 422, "validation.taken"},
			{"admin deactivating itself", "PUT", "/api/v1/admin/operators/op-admin", `{"name": "A", "email": "admin@demo.switchboard", "role": "admin", "active": false}`, 422, "validation.self_lockout"},
			{"operator over the capacity limit", "PUT", "/api/v1/admin/operators/op-new", `{"name": "N", "email": "n@x.test", "role": "operator", "active": true, "capacity": 101, "password": "12345678"}`, 422, "validation.out_of_range"},
			{"operator with a negative capacity", "PUT", "/api/v1/admin/operators/op-new", `{"name": "N", "email": "n@x.test", "role": "operator", "active": true, "capacity": -1, "password": "12345678"}`, 422, "validation.out_of_range"},
			{"line with an unknown auto-assignment", "PUT", "/api/v1/admin/lines/line-x", `{"name": "X", "autoAssign": "lottery"}`, 422, "validation.invalid"},
			{"line with unknown group", "PUT", "/api/v1/admin/lines/line-x", `{"name": "X", "operatorGroupIds": ["g-none"]}`, 422, "validation.unknown"},
			{"line with hours ending before they start", "PUT", "/api/v1/admin/lines/line-x", `{"name": "X", "businessHours": {"timeZone": "Europe/Kyiv", "days": [[], [[600, 540]], [], [], [], [], []]}}`, 422, "validation.invalid"},
			{"line with a negative reopen window", "PUT", "/api/v1/admin/lines/line-x", `{"name": "X", "reopenHours": -1}`, 422, "validation.out_of_range"},
			{"line with a reopen window over a year", "PUT", "/api/v1/admin/lines/line-x", `{"name": "X", "reopenHours": 9000}`, 422, "validation.out_of_range"},
			{"line with hours in an unknown zone", "PUT", "/api/v1/admin/lines/line-x", `{"name": "X", "businessHours": {"timeZone": "Mars/Olympus", "days": [[], [], [], [], [], [], []]}}`, 422, "validation.invalid"},
			{"channel without line", "PUT", "/api/v1/admin/channels/ch-x", `{"name": "X", "kind": "telegram"}`, 422, "validation.unknown"},
			{"role with unknown permission", "PUT", "/api/v1/admin/roles/r-x", `{"name": "X", "permissions": ["launch.missiles"]}`, 422, "validation.unknown"},
			{"id with a comma", "PUT", "/api/v1/admin/tags/a,b", `{"name": "X"}`, 422, "validation.invalid"},
		}
		for _, c := range cases {
			var body any
			if c.body != "" || c.method == "POST" {
				body = c.body
			}
			code, out := e.call(c.method, c.path, tok, body)
			wantError(t, c.name, code, out, c.status, c.code)
		}
		// Nothing above half-committed: the org is as seeded.
		org, _ := e.st.Org(t.Context())
		if org.Operators["op-new"] != nil || org.Lines["line-x"] != nil || org.Operators["op-admin"].Active != true {
			t.Errorf("a refused admin write changed the org")
		}
	})
}

func TestAdminCreatesAnOperatorWhoCanSignIn(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		admin := e.login("admin@demo.switchboard")
		code, body := e.call("PUT", "/api/v1/admin/operators/op-olga", admin, OperatorInput{Name: "Ольга", Email: "olga@demo.switchboard", Role: inbox.RoleOperator, Active: true, Password: "olga-pass-1"})
		if code != 200 {
			t.Fatalf("create operator = %d %s", code, body)
		}
		code, body = e.call("PUT", "/api/v1/admin/groups/g-support", admin, inbox.Group{Name: "Підтримка", MemberIDs: []string{"op-taras", "op-olga"}})
		if code != 200 {
			t.Fatalf("group = %d %s", code, body)
		}
		code, body = e.call("POST", "/api/v1/auth/login", "", wire.LoginRequest{Email: "olga@demo.switchboard", Password: "olga-pass-1"})
		if code != 200 {
			t.Fatalf("new operator sign-in = %d %s", code, body)
		}
		var lr wire.LoginResponse
		_ = json.Unmarshal(body, &lr)
		if _, ok := findChange(e.pull(lr.Token, 0), wire.KindDialog, "dl-demo-03"); !ok {
			t.Errorf("olga joined support but does not receive its dialog dl-demo-03")
		}
		// Deactivated: the session stops working at once.
		e.call("PUT", "/api/v1/admin/operators/op-olga", admin, OperatorInput{Name: "Ольга", Email: "olga@demo.switchboard", Role: inbox.RoleOperator, Active: false})
		code, body = e.call("GET", "/api/v1/me", lr.Token, nil)
		wantError(t, "deactivated operator", code, body, 403, "auth.deactivated")
		code, body = e.call("GET", "/api/v1/admin/org", admin, nil)
		if code != 200 || !strings.Contains(string(body), "Ольга") || strings.Contains(string(body), "argon2") {
			t.Errorf("admin org = %d, holds the new operator and no password hashes? %s", code, body)
		}
	})
}

func findChange(cs []wire.Change, kind wire.Kind, id string) (wire.Change, bool) {
	var last wire.Change
	found := false
	for _, c := range cs {
		if c.Kind == kind && c.ID == id {
			last, found = c, true
		}
	}
	return last, found && last.Op == wire.OpPut
}
