package server

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/inbox"
	"switchboard/server/password"
	"switchboard/server/store"
	"switchboard/wire"
)

// OrgView is GET /api/v1/admin/org: the workspace structure for the
// admin screens.
type OrgView = wire.AdminOrg

func sorted[T any](m map[string]*T, id func(*T) string) []*T {
	out := make([]*T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *T) int { return strings.Compare(id(a), id(b)) })
	return out
}

func (s *Server) adminOrg(w http.ResponseWriter, r *http.Request, op string) error {
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	if !org.Can(op, inbox.PermUsersManage) && !org.Can(op, inbox.PermLinesManage) && !org.Can(op, inbox.PermChannelsManage) {
		return errorf(http.StatusForbidden, "auth.forbidden", "Only administrators may open the workspace settings.")
	}
	writeJSON(w, http.StatusOK, OrgView{
		Workspace: org.Workspace,
		Operators: sorted(org.Operators, func(v *inbox.Operator) string { return v.ID }),
		Roles:     sorted(org.Roles, func(v *inbox.Role) string { return v.ID }),
		Groups:    sorted(org.Groups, func(v *inbox.Group) string { return v.ID }),
		Lines:     sorted(org.Lines, func(v *inbox.Line) string { return v.ID }),
		Channels:  sorted(org.Channels, func(v *inbox.Channel) string { return v.ID }),
		Tags:      sorted(org.Tags, func(v *inbox.Tag) string { return v.ID }),
	})
	return nil
}

// adminConnectors is GET /api/v1/admin/connectors: the installed connector
// plugins a channel may use, with their settings schemas.
func (s *Server) adminConnectors(w http.ResponseWriter, r *http.Request, op string) error {
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	if !org.Can(op, inbox.PermChannelsManage) {
		return errorf(http.StatusForbidden, "auth.forbidden", "Only operators who manage channels may see the installed connectors.")
	}
	out := []wire.Connector{}
	if fn := s.connectors.Load(); fn != nil {
		out = append(out, (*fn)(r.Context())...)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// OperatorInput is the body of PUT /api/v1/admin/operators/{id}. Password
// is required for a new operator and optional otherwise.
type OperatorInput struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Active   bool   `json:"active"`
	Capacity int    `json:"capacity"`
	Language string `json:"language,omitempty"`
	Password string `json:"password,omitempty"`
}

// MaxCapacity is the most in-progress dialogs auto-assignment may give
// one operator.
const MaxCapacity = 100

// adminKinds maps the path's plural to the wire kind and the permission
// that changes it.
var adminKinds = map[string]struct {
	kind wire.Kind
	perm inbox.Permission
}{
	"workspace": {wire.KindWorkspace, inbox.PermUsersManage},
	"operators": {wire.KindOperator, inbox.PermUsersManage},
	"roles":     {wire.KindRole, inbox.PermUsersManage},
	"groups":    {wire.KindGroup, inbox.PermLinesManage},
	"lines":     {wire.KindLine, inbox.PermLinesManage},
	"channels":  {wire.KindChannel, inbox.PermChannelsManage},
	"tags":      {wire.KindTag, inbox.PermDialogsManage},
}

// adminPut is PUT /api/v1/admin/{kind}/{id}: create or replace one entity
// of the workspace structure, validated against the rest of it.
func (s *Server) adminPut(w http.ResponseWriter, r *http.Request, op string) error {
	ak, ok := adminKinds[r.PathValue("kind")]
	if !ok {
		return errorf(http.StatusNotFound, "request.not_found", "There is no settings section %q.", r.PathValue("kind"))
	}
	id := r.PathValue("id")
	if id == "" || len(id) > 64 || strings.ContainsAny(id, " ,/%_") {
		return fieldError("id", "invalid", "The id must be 1 to 64 characters without spaces, commas, slashes, %% or _.")
	}
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	if !org.Can(op, ak.perm) {
		return errorf(http.StatusForbidden, "auth.forbidden", "Your role may not change %s.", r.PathValue("kind"))
	}
	var v any
	var credential func(store.Tx) error
	switch ak.kind {
	case wire.KindOperator:
		var in OperatorInput
		if err := decodeJSON(w, r, 64<<10, &in); err != nil {
			return err
		}
		o, setPw, err := validOperator(org, op, id, in)
		if err != nil {
			return err
		}
		v = o
		credential = func(tx store.Tx) error {
			hash := ""
			if setPw {
				if hash, err = password.Hash(in.Password); err != nil {
					return err
				}
			} else {
				return nil
			}
			return tx.SetCredential(id, o.Email, hash)
		}
		if !setPw && org.Operators[id] != nil && org.Operators[id].Email != o.Email {
			return fieldError("password", "required", "Changing the e-mail needs the password set again.")
		}
	default:
		v, err = s.decodeOrgEntity(w, r, org, ak.kind, id)
		if err != nil {
			return err
		}
	}
	var seq int64
	err = s.st.Write(r.Context(), func(tx store.Tx) error {
		if credential != nil {
			if err := credential(tx); err != nil {
				return err
			}
		}
		var err error
		seq, err = tx.PutOrg(ak.kind, id, v)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return fieldError("email", "taken", "Another operator already signs in with this e-mail.")
	}
	if err != nil {
		return err
	}
	s.committed(seq)
	if ak.kind == wire.KindLine || ak.kind == wire.KindOperator || ak.kind == wire.KindGroup {
		// A line switched to auto-assignment, a capacity raised or a
		// group joined: give out what now fits.
		go s.eng.sweep(s.ctx)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func fieldError(field, code, msg string) error {
	e := errorf(http.StatusUnprocessableEntity, "validation."+code, "%s", msg)
	e.Body.Fields = map[string]string{field: code}
	return e
}

func validName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return fieldError(field, "required", "Enter a name.")
	}
	if utf8.RuneCountInString(name) > 200 {
		return fieldError(field, "too_long", "The name is longer than 200 characters.")
	}
	return nil
}

func validOperator(org *inbox.Org, actor, id string, in OperatorInput) (*inbox.Operator, bool, error) {
	if err := validName("name", in.Name); err != nil {
		return nil, false, err
	}
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != strings.TrimSpace(in.Email) {
		return nil, false, fieldError("email", "invalid", "Enter an e-mail address like anna@example.com.")
	}
	if org.Roles[in.Role] == nil {
		return nil, false, fieldError("role", "unknown", "Choose one of the workspace's roles.")
	}
	if in.Capacity < 0 || in.Capacity > MaxCapacity {
		return nil, false, fieldError("capacity", "out_of_range", "Capacity is how many dialogs auto-assignment may give the operator at once: a whole number from 0 (none, only by hand) to 100.")
	}
	if in.Language != "" && !slices.Contains([]string{"en", "ru", "uk"}, in.Language) {
		return nil, false, fieldError("language", "unknown", "The language must be en, ru or uk.")
	}
	prev := org.Operators[id]
	if prev == nil && len(in.Password) == 0 {
		return nil, false, fieldError("password", "required", "Set a password for the new operator.")
	}
	if in.Password != "" && utf8.RuneCountInString(in.Password) < 8 {
		return nil, false, fieldError("password", "too_short", "The password needs at least 8 characters.")
	}
	if id == actor && (!in.Active || !org.Roles[in.Role].Has(inbox.PermUsersManage)) {
		return nil, false, fieldError("active", "self_lockout", "You cannot deactivate yourself or take away your own right to manage people.")
	}
	o := &inbox.Operator{ID: id, Name: strings.TrimSpace(in.Name), Email: strings.ToLower(addr.Address), Role: in.Role,
		Active: in.Active, Capacity: in.Capacity, Language: in.Language}
	if prev != nil {
		o.CreatedAt, o.AvatarURL = prev.CreatedAt, prev.AvatarURL
	}
	return o, in.Password != "", nil
}

// decodeOrgEntity decodes and validates a workspace, role, group, line,
// channel or tag.
func (s *Server) decodeOrgEntity(w http.ResponseWriter, r *http.Request, org *inbox.Org, kind wire.Kind, id string) (any, error) {
	switch kind {
	case wire.KindWorkspace:
		var v inbox.Workspace
		if err := decodeJSON(w, r, 64<<10, &v); err != nil {
			return nil, err
		}
		if org.Workspace != nil && id != org.Workspace.ID {
			return nil, fieldError("id", "invalid", "This server holds one workspace; use its id.")
		}
		if v.ReopenMessengerHours < 0 || v.ReopenEmailHours < 0 || v.ReopenMessengerHours > 24*90 || v.ReopenEmailHours > 24*90 {
			return nil, fieldError("reopenMessengerHours", "out_of_range", "Reopen windows are between 0 and 2160 hours.")
		}
		v.ID = id
		if org.Workspace != nil {
			v.CreatedAt = org.Workspace.CreatedAt
		}
		return &v, validName("name", v.Name)
	case wire.KindRole:
		var v inbox.Role
		if err := decodeJSON(w, r, 64<<10, &v); err != nil {
			return nil, err
		}
		if prev := org.Roles[id]; prev != nil && prev.BuiltIn && id == inbox.RoleAdmin {
			return nil, fieldError("permissions", "built_in", "The admin role always has every permission.")
		}
		for _, p := range v.Permissions {
			if !p.Valid() {
				return nil, fieldError("permissions", "unknown", "Unknown permission "+string(p)+".")
			}
		}
		v.ID, v.BuiltIn = id, org.Roles[id] != nil && org.Roles[id].BuiltIn
		return &v, validName("name", v.Name)
	case wire.KindGroup:
		var v inbox.Group
		if err := decodeJSON(w, r, 256<<10, &v); err != nil {
			return nil, err
		}
		for _, m := range v.MemberIDs {
			if org.Operators[m] == nil {
				return nil, fieldError("memberIds", "unknown", "Operator "+m+" does not exist.")
			}
		}
		v.ID = id
		return &v, validName("name", v.Name)
	case wire.KindLine:
		var v inbox.Line
		if err := decodeJSON(w, r, 64<<10, &v); err != nil {
			return nil, err
		}
		for _, g := range append(slices.Clone(v.OperatorGroupIDs), v.SupervisorGroupIDs...) {
			if org.Groups[g] == nil {
				return nil, fieldError("operatorGroupIds", "unknown", "Group "+g+" does not exist.")
			}
		}
		if v.NameShown == "" {
			v.NameShown = inbox.ShowOperatorName
		}
		if v.NameShown != inbox.ShowLineName && v.NameShown != inbox.ShowOperatorName {
			return nil, fieldError("nameShown", "invalid", "Show either the line's or the operator's name.")
		}
		if v.ReopenHours < 0 || v.ReopenHours > 8760 {
			return nil, fieldError("reopenHours", "out_of_range", "The reopen window is from 0 to 8760 hours (0: the workspace's).")
		}
		if v.BusinessHours != nil && v.BusinessHours.Problem() != "" {
			return nil, fieldError("businessHours", "invalid", v.BusinessHours.Problem())
		}
		if v.AutoAssign != inbox.AutoAssignOff && v.AutoAssign != inbox.AutoAssignRoundRobin && v.AutoAssign != inbox.AutoAssignLeastLoaded {
			return nil, fieldError("autoAssign", "invalid", "Auto-assignment is off, round-robin or least-loaded.")
		}
		v.ID = id
		return &v, validName("name", v.Name)
	case wire.KindChannel:
		var v inbox.Channel
		if err := decodeJSON(w, r, 64<<10, &v); err != nil {
			return nil, err
		}
		if org.Lines[v.LineID] == nil {
			return nil, fieldError("lineId", "unknown", "Choose the line this channel's dialogs go to.")
		}
		if !slices.Contains([]inbox.ChannelKind{inbox.KindWebchat, inbox.KindTelegram, inbox.KindWhatsApp, inbox.KindVK, inbox.KindEmail, inbox.KindCustom}, v.Kind) {
			return nil, fieldError("kind", "unknown", "Unknown channel kind.")
		}
		if v.State == "" {
			v.State = inbox.ChannelActive
		}
		// Capabilities are the connector's word, recorded when the channel
		// runs; an admin's form does not change them.
		v.Capabilities = inbox.Capabilities{}
		if prev := org.Channels[id]; prev != nil {
			v.Capabilities = prev.Capabilities
		}
		v.ID = id
		return &v, validName("name", v.Name)
	case wire.KindTag:
		var v inbox.Tag
		if err := decodeJSON(w, r, 16<<10, &v); err != nil {
			return nil, err
		}
		v.ID = id
		return &v, validName("name", v.Name)
	}
	return nil, errors.New("unreachable")
}

// timers runs the system's own commands: waking snoozed dialogs.
func (s *Server) timers(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.runTimers(ctx)
		}
	}
}
