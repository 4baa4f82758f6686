package server

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestDialogReportEndpoint(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		admin, sofia, anna := e.login("admin@demo.switchboard"), e.login("sofia@demo.switchboard"), e.login("anna@demo.switchboard")
		// Anna takes the queued dialog and answers it.
		if r := e.command(anna, "dialog.take", map[string]string{"dialogId": "dl-demo-05"}); !r.OK {
			t.Fatalf("take: %+v", r)
		}
		if r := e.command(anna, "message.send", map[string]string{"messageId": "m-rep-1", "dialogId": "dl-demo-05", "kind": "outbound", "text": "Hello"}); !r.OK {
			t.Fatalf("send: %+v", r)
		}
		from, to := e.now.Add(-90*24*time.Hour).UnixMilli(), e.now.Add(time.Hour).UnixMilli()
		path := func(by string) string {
			return fmt.Sprintf("/api/v1/reports/dialogs?from=%d&to=%d&by=%s", from, to, by)
		}

		code, body := e.call("GET", path(wire.ReportByOperator), sofia, nil)
		if code != 200 {
			t.Fatalf("report as a supervisor = %d %s", code, body)
		}
		var rep wire.DialogReport
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		var annaRow *wire.ReportRow
		for i := range rep.Rows {
			if rep.Rows[i].Key == "op-anna" {
				annaRow = &rep.Rows[i]
			}
		}
		d, err := e.st.Dialog(context.Background(), "dl-demo-05")
		if err != nil {
			t.Fatal(err)
		}
		m := inbox.MetricsOf(d)
		if annaRow == nil || annaRow.Answered < 1 || !m.HasFirstResponse || annaRow.FirstResponseMaxMs < m.FirstResponse.Milliseconds() {
			t.Errorf("anna's row = %+v; dl-demo-05's first response %v", annaRow, m.FirstResponse)
		}

		// Every dialog of the period is counted once, whatever the grouping.
		totals := map[string]int64{}
		for _, by := range []string{wire.ReportByOperator, wire.ReportByLine, wire.ReportByChannel} {
			code, body := e.call("GET", path(by), admin, nil)
			if code != 200 {
				t.Fatalf("report by %s = %d %s", by, code, body)
			}
			var rep wire.DialogReport
			_ = json.Unmarshal(body, &rep)
			for _, r := range rep.Rows {
				totals[by] += r.Dialogs
			}
		}
		if totals[wire.ReportByOperator] == 0 || totals[wire.ReportByOperator] != totals[wire.ReportByLine] || totals[wire.ReportByLine] != totals[wire.ReportByChannel] {
			t.Errorf("dialog totals by grouping = %v, want equal and non-zero", totals)
		}

		code, body = e.call("GET", path(wire.ReportByLine), anna, nil)
		wantError(t, "report as an operator", code, body, 403, "auth.forbidden")
		for _, bad := range []struct{ name, q, code string }{
			{"no from", fmt.Sprintf("to=%d&by=line", to), "validation.invalid"},
			{"end before start", fmt.Sprintf("from=%d&to=%d&by=line", to, from), "validation.out_of_range"},
			{"unknown grouping", fmt.Sprintf("from=%d&to=%d&by=planet", from, to), "validation.invalid"},
			{"unknown line", fmt.Sprintf("from=%d&to=%d&by=operator&line=nope", from, to), "validation.unknown"},
		} {
			code, body := e.call("GET", "/api/v1/reports/dialogs?"+bad.q, admin, nil)
			wantError(t, "report with "+bad.name, code, body, 422, bad.code)
		}
	})
}

func TestAdminConnectors(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		admin, anna := e.login("admin@demo.switchboard"), e.login("anna@demo.switchboard")
		code, body := e.call("GET", "/api/v1/admin/connectors", admin, nil)
		if code != 200 || string(body) != "[]\n" && string(body) != "[]" {
			t.Errorf("connectors without a relay = %d %s, want 200 []", code, body)
		}
		e.srv.SetConnectorCatalog(func(context.Context) []wire.Connector {
			return []wire.Connector{{ID: "webchat", Name: "Website chat", SettingsSchema: `{"type":"object"}`}}
		})
		code, body = e.call("GET", "/api/v1/admin/connectors", admin, nil)
		var got []wire.Connector
		_ = json.Unmarshal(body, &got)
		if code != 200 || len(got) != 1 || got[0].ID != "webchat" || got[0].SettingsSchema == "" {
			t.Errorf("connectors = %d %s", code, body)
		}
		code, body = e.call("GET", "/api/v1/admin/connectors", anna, nil)
		wantError(t, "connectors as an operator", code, body, 403, "auth.forbidden")
	})
}

func TestAnalyticsEndpoint(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		sofia, anna := e.login("sofia@demo.switchboard"), e.login("anna@demo.switchboard")
		// A new customer writes on Telegram (Sales) and Anna answers: the
		// engine adds the wait to the dialog's response times.
		head, _ := e.st.Head(t.Context())
		res := e.ingest(IngestRequest{Events: []IngestEvent{{Type: "inbound.message", Payload: json.RawMessage(
			`{"channelId":"ch-telegram","externalId":"an-1","contact":{"externalId":"an-client"},"text":"Hello?"}`)}}})
		if !res.Results[0].OK {
			t.Fatalf("ingest = %+v", res.Results[0])
		}
		var dialogID string
		for _, c := range e.pull(anna, head) {
			if c.Kind == wire.KindDialog {
				dialogID = c.ID
			}
		}
		if r := e.command(anna, "message.send", map[string]string{"messageId": "m-an-1", "dialogId": dialogID, "kind": "outbound", "text": "Hi"}); !r.OK {
			t.Fatalf("send: %+v", r)
		}
		d, err := e.st.Dialog(context.Background(), dialogID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Responses.Count != 1 || !d.AwaitingSince.IsZero() {
			t.Errorf("after one answer the dialog's responses = %+v, awaiting since %v; want one, none", d.Responses, d.AwaitingSince)
		}

		from, to := e.now.Add(-90*24*time.Hour).UnixMilli(), e.now.Add(time.Hour).UnixMilli()
		code, body := e.call("GET", fmt.Sprintf("/api/v1/reports/analytics?from=%d&to=%d&tz=Europe/Kyiv&by=line", from, to), sofia, nil)
		if code != 200 {
			t.Fatalf("analytics as a supervisor = %d %s", code, body)
		}
		var a wire.Analytics
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		if len(a.Days) < 90 || a.TimeZone != "Europe/Kyiv" {
			t.Errorf("days = %d in %q, want 90 or 91 in Europe/Kyiv", len(a.Days), a.TimeZone)
		}
		var volume int64
		for _, v := range a.Volume {
			volume += v.Dialogs
		}
		var annaRow *wire.OperatorLoadRow
		for i := range a.Operators {
			if a.Operators[i].Key == "op-anna" {
				annaRow = &a.Operators[i]
			}
		}
		if volume == 0 || len(a.Percentiles) == 0 || a.Percentiles[0].Key != "" || a.Percentiles[0].Answered == 0 {
			t.Errorf("volume %d, percentiles %+v: want dialogs and a total row with answered ones", volume, a.Percentiles)
		}
		if annaRow == nil || annaRow.Responses < 1 {
			t.Errorf("anna's load = %+v, want her answered wait counted", annaRow)
		}

		code, body = e.call("GET", fmt.Sprintf("/api/v1/reports/analytics?from=%d&to=%d", from, to), anna, nil)
		wantError(t, "analytics as an operator", code, body, 403, "auth.forbidden")
		for _, bad := range []struct{ name, q, code string }{
			{"no to", fmt.Sprintf("from=%d", from), "validation.invalid"},
			{"a year and more", fmt.Sprintf("from=%d&to=%d", from-400*24*3600*1000, to), "validation.out_of_range"},
			{"a made-up zone", fmt.Sprintf("from=%d&to=%d&tz=Mars/Olympus", from, to), "validation.invalid"},
			{"grouping by operator", fmt.Sprintf("from=%d&to=%d&by=operator", from, to), "validation.invalid"},
			{"unknown channel", fmt.Sprintf("from=%d&to=%d&channel=nope", from, to), "validation.unknown"},
			{"unknown operator", fmt.Sprintf("from=%d&to=%d&operator=nope", from, to), "validation.unknown"},
		} {
			code, body := e.call("GET", "/api/v1/reports/analytics?"+bad.q, sofia, nil)
			wantError(t, "analytics with "+bad.name, code, body, 422, bad.code)
		}
	})
}
