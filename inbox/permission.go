package inbox

import "slices"

// Permission names one thing a role allows. The names are stable: they are
// stored, sent over the wire and used as i18n keys in the admin UI.
type Permission string

const (
	// PermDialogsManage lets an operator assign any dialog to anyone, see
	// every dialog and use the All and Blacklist tabs.
	PermDialogsManage Permission = "dialogs.manage"
	// PermDialogsViewAll lets an operator see every dialog of the workspace.
	PermDialogsViewAll Permission = "dialogs.view_all"
	// PermLinesManage lets an operator create and change lines and groups.
	PermLinesManage Permission = "lines.manage"
	// PermTemplatesManageGlobal lets an operator edit the team's templates.
	PermTemplatesManageGlobal Permission = "templates.manage_global"
	// PermUsersManage lets an operator invite, change and deactivate people.
	PermUsersManage Permission = "users.manage"
	// PermChannelsManage lets an operator configure channels and plugins.
	PermChannelsManage Permission = "channels.manage"
	// PermReportsView lets an operator open the supervisor console's reports.
	PermReportsView Permission = "reports.view"
	// PermClientsManage lets an operator blacklist, unblock and pin anyone's
	// clients, and unpin a client pinned to a colleague.
	PermClientsManage Permission = "clients.manage"
)

// AllPermissions lists every permission in a stable order.
var AllPermissions = []Permission{
	PermDialogsManage,
	PermDialogsViewAll,
	PermLinesManage,
	PermTemplatesManageGlobal,
	PermUsersManage,
	PermChannelsManage,
	PermReportsView,
	PermClientsManage,
}

// Valid reports whether p is a permission this version knows.
func (p Permission) Valid() bool { return slices.Contains(AllPermissions, p) }

// Built-in role names. Every workspace has these three; admins may add more.
const (
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleOperator   = "operator"
)

// Role is a named set of permissions.
type Role struct {
	ID          string       `json:"id"` // equals Name for built-in roles
	Name        string       `json:"name"`
	Permissions []Permission `json:"permissions"`
	BuiltIn     bool         `json:"builtIn"`
}

// Has reports whether the role grants p.
func (r *Role) Has(p Permission) bool {
	return r != nil && slices.Contains(r.Permissions, p)
}

// DefaultRoles returns the three built-in roles with their default
// permissions: an admin may do everything; a supervisor watches the floor
// and manages dialogs; an operator answers dialogs of its own lines.
func DefaultRoles() []*Role {
	return []*Role{
		{ID: RoleAdmin, Name: RoleAdmin, BuiltIn: true, Permissions: slices.Clone(AllPermissions)},
		{ID: RoleSupervisor, Name: RoleSupervisor, BuiltIn: true, Permissions: []Permission{
			PermDialogsManage, PermDialogsViewAll, PermReportsView, PermClientsManage, PermTemplatesManageGlobal,
		}},
		{ID: RoleOperator, Name: RoleOperator, BuiltIn: true, Permissions: nil},
	}
}
