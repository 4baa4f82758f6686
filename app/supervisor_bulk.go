package app

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// The dialog table's bulk actions: one action on many active dialogs, each
// dialog its own command checked by the same rules as when one dialog is
// moved (inbox), all queued in one replica transaction like Mark all read.
// What the rules refuse is not queued and comes back per dialog, in words.

// BulkRequest is one action on the dialogs chosen in the table.
type BulkRequest struct {
	// Action is "close", "spam" (force-close as spam), "assign" (forward
	// to OperatorID) or "transfer" (forward to LineID).
	Action     string   `json:"action"`
	DialogIDs  []string `json:"dialogIds"`
	OperatorID string   `json:"operatorId"`
	LineID     string   `json:"lineId"`
}

// BulkRefusal is why one dialog was left as it was: the rules' code (the
// UI's words), their English words and arguments.
type BulkRefusal struct {
	DialogID string            `json:"dialogId"`
	Number   int64             `json:"number"`
	Code     string            `json:"code"`
	Message  string            `json:"message"`
	Args     map[string]string `json:"args"`
}

// BulkResult says how many commands were queued, how many dialogs were
// already as asked, and which were refused.
type BulkResult struct {
	Queued    int           `json:"queued"`
	Unchanged int           `json:"unchanged"`
	Refused   []BulkRefusal `json:"refused"`
}

// MaxBulk bounds one bulk action (and select-all): one transaction.
const MaxBulk = 5000

// bulkCommand is the command type and payload of an action on a dialog.
func bulkCommand(r BulkRequest, dialogID string) (string, map[string]string, error) {
	p := map[string]string{"dialogId": dialogID}
	switch r.Action {
	case "close":
		return "dialog.close", p, nil
	case "spam":
		return "dialog.spam", p, nil
	case "assign":
		if r.OperatorID == "" {
			return "", nil, uiError(CodeBadInput, "choose the operator to forward to", nil)
		}
		p["operatorId"] = r.OperatorID
		return "dialog.assign", p, nil
	case "transfer":
		if r.LineID == "" {
			return "", nil, uiError(CodeBadInput, "choose the line to forward to", nil)
		}
		p["lineId"] = r.LineID
		return "dialog.transfer", p, nil
	}
	return "", nil, uiError(CodeBadInput, "unknown bulk action "+r.Action, nil)
}

// Bulk runs one action on many active dialogs. Dialogs no longer active
// are refused as closed (a bulk action never reopens or re-closes).
func (s *Supervisor) Bulk(r BulkRequest) (BulkResult, error) {
	ctx := context.Background()
	rp, org, me, a, err := s.c.console(ctx)
	if err != nil {
		return BulkResult{}, err
	}
	if !a.Table {
		return BulkResult{}, forbidden()
	}
	if len(r.DialogIDs) == 0 {
		return BulkResult{}, uiError(CodeBadInput, "choose at least one dialog", nil)
	}
	if len(r.DialogIDs) > MaxBulk {
		return BulkResult{}, uiError(CodeBadInput, "at most 5000 dialogs at once", nil)
	}
	if _, _, err := bulkCommand(r, ""); err != nil {
		return BulkResult{}, err
	}
	res := BulkResult{Refused: []BulkRefusal{}}
	reader := &cardReader{ctx: ctx, rp: rp, org: org}
	now := time.Now().UTC()
	env := inbox.Env{Now: now, ActorID: me, NewID: newID}
	seen := map[string]bool{}
	var cmds []replica.Queued
	var ids []string
	for _, id := range r.DialogIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		typ, payload, _ := bulkCommand(r, id)
		refuse := func(err error) error {
			ref, ok := inbox.AsRefusal(err)
			if !ok {
				return toUI(err)
			}
			br := BulkRefusal{DialogID: id, Code: ref.Code, Message: ref.Message, Args: ref.Args}
			if d, err := rp.Dialog(ctx, id); err == nil {
				br.Number = d.Number
			}
			res.Refused = append(res.Refused, br)
			return nil
		}
		if d, err := rp.Dialog(ctx, id); err == nil && !d.Status.Open() {
			closed := &inbox.Refusal{Code: "dialog.closed", Message: "The dialog is closed.", Args: map[string]string{"number": strconv.FormatInt(d.Number, 10)}}
			if err := refuse(closed); err != nil {
				return BulkResult{}, err
			}
			continue
		}
		body, err := json.Marshal(payload)
		if err != nil {
			return BulkResult{}, toUI(err)
		}
		cmd, err := inbox.DecodeCommand(typ, body)
		if err != nil {
			return BulkResult{}, refusalError(err)
		}
		o, err := cmd.Execute(reader, env)
		if err != nil {
			if err := refuse(err); err != nil {
				return BulkResult{}, err
			}
			continue
		}
		if o.Empty() || len(o.Dialogs) == 0 {
			res.Unchanged++
			continue
		}
		q, err := queued(typ, payload, replica.Optimistic{Dialog: o.Dialogs[0]})
		if err != nil {
			return BulkResult{}, toUI(err)
		}
		cmds = append(cmds, q)
		ids = append(ids, id)
	}
	if len(cmds) > 0 {
		if err := rp.EnqueueAll(ctx, cmds); err != nil {
			return BulkResult{}, toUI(err)
		}
		s.c.queuedFor(ids)
	}
	res.Queued = len(cmds)
	return res, nil
}

// SelectOpen returns the active dialogs the table's filters match (at
// most MaxBulk, newest first): "select all" for a bulk action.
func (s *Supervisor) SelectOpen(q TableRequest) ([]string, error) {
	ctx := context.Background()
	rp, _, _, a, err := s.c.console(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Table {
		return nil, forbidden()
	}
	ids, err := rp.TableOpenIDs(ctx, q.query(), MaxBulk)
	if err != nil {
		return nil, tableError(err)
	}
	return ids, nil
}
