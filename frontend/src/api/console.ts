// The supervisor's console and the administration: mirrors of the Go types
// in app/supervisor*.go, app/admin.go and wire/admin.go, and their calls.
// Times are unix ms (0 = none); durations are ms, -1 = not measured yet.
import { call } from "./wails";

export interface ConsoleAccess {
  table: boolean;
  reports: boolean;
  users: boolean;
  lines: boolean;
  channels: boolean;
}

export interface TableRequest {
  lineId: string;
  operatorId: string; // "-" for nobody
  status: string;
  channelId: string;
  createdFrom: number;
  createdTo: number;
  query: string;
  sort: string;
  desc: boolean;
  /** Column filters (TableOptions.filters says each column's kind). */
  filters?: ColumnFilter[];
  offset: number;
  limit: number;
}

/** One column's filter: text contains, one of values, or min..max (ms for times and durations). */
export interface ColumnFilter {
  column: string;
  text?: string;
  values?: string[];
  min?: number;
  max?: number;
}

/** One action on the dialogs chosen in the table. */
export interface BulkRequest {
  action: "close" | "spam" | "assign" | "transfer";
  dialogIds: string[];
  operatorId?: string;
  lineId?: string;
}

export interface BulkRefusal {
  dialogId: string;
  number: number;
  code: string;
  message: string;
  args?: Record<string, string>;
}

export interface BulkResult {
  queued: number;
  unchanged: number;
  refused: BulkRefusal[];
}

export interface TableRow {
  id: string;
  number: number;
  clientName: string;
  clientId: string;
  lineName: string;
  channelName: string;
  channelKind: string;
  operatorName: string;
  status: string;
  detailed: string;
  outgoing: boolean;
  unread: number;
  created: number;
  queued: number;
  firstAnswer: number;
  started: number;
  lastMessage: number;
  closed: number;
  modified: number;
  firstResponse: number;
  timeToStart: number;
  handling: number;
  duration: number;
  responseTotal: number;
  responseAvg: number;
  responseMax: number;
  clientRating: number;
  supervisorRating: number;
  supervisorComment: string;
  operatorRating: number;
  tags: string[];
}

export interface TablePage {
  rows: TableRow[];
  offset: number;
  total: number;
}

export interface TableSettings {
  columns: string[];
  sort: string;
  desc: boolean;
}

export interface NamedItem {
  id: string;
  name: string;
}

export interface TableOptions {
  lines: NamedItem[];
  operators: NamedItem[];
  channels: NamedItem[];
  columns: string[];
  sortable: string[];
  tags: NamedItem[];
  /** column -> "text" | "choice" | "range" */
  filters: Record<string, string>;
}

export interface FloorLine {
  id: string;
  name: string;
  unassigned: number;
  oldestQueuedAt: number;
  inProgress: number;
}

export interface FloorOperator {
  id: string;
  name: string;
  online: boolean;
  inProgress: number;
  snoozed: number;
  capacity: number;
}

export interface FloorView {
  lines: FloorLine[];
  operators: FloorOperator[];
}

export type ReportBy = "operator" | "line" | "channel";

export interface ReportRow {
  key: string;
  name: string;
  dialogs: number;
  closed: number;
  spam: number;
  answered: number;
  firstResponseAvgMs: number;
  firstResponseMaxMs: number;
  handled: number;
  handlingAvgMs: number;
  durationAvgMs: number;
}

export interface ReportView {
  from: number;
  to: number;
  by: ReportBy;
  rows: ReportRow[];
}

export interface AnalyticsRequest {
  from: number;
  to: number;
  timeZone: string;
  by: "line" | "channel";
  lineId: string;
  channelId: string;
  operatorId: string;
}

export interface VolumeRow {
  day: number;
  key: string;
  dialogs: number;
}

export interface PercentileRow {
  key: string; // "" for all together
  answered: number;
  frtP50Ms: number;
  frtP90Ms: number;
  frtP95Ms: number;
  resolved: number;
  resP50Ms: number;
  resP90Ms: number;
  resP95Ms: number;
}

export interface CSATRow {
  day: number;
  ratings: number;
  sum: number;
  good: number;
}

export interface OperatorLoadRow {
  key: string;
  dialogs: number;
  closed: number;
  inProgress: number;
  answered: number;
  frtSumMs: number;
  responses: number;
  responseTotalMs: number;
  responseMaxMs: number;
  ratings: number;
  ratingSum: number;
}

export interface TagRow {
  key: string;
  dialogs: number;
  answered: number;
  frtSumMs: number;
  resolved: number;
  resolutionSumMs: number;
}

/** The charted reports (wire.Analytics) and the names of what they mention. */
export interface AnalyticsView {
  from: number;
  to: number;
  timeZone: string;
  by: "line" | "channel";
  days: string[];
  volume: VolumeRow[];
  percentiles: PercentileRow[];
  csat: CSATRow[];
  operators: OperatorLoadRow[];
  tags: TagRow[];
  names: Record<string, string>;
}

export const supervisor = {
  analytics: (q: AnalyticsRequest) => call<AnalyticsView>("Supervisor", "Analytics", q),
  access: () => call<ConsoleAccess>("Supervisor", "Access"),
  table: (q: TableRequest) => call<TablePage>("Supervisor", "Table", q),
  settings: () => call<TableSettings>("Supervisor", "TableSettings"),
  saveSettings: (s: TableSettings) => call<TableSettings>("Supervisor", "SaveTableSettings", s),
  options: () => call<TableOptions>("Supervisor", "Options"),
  bulk: (r: BulkRequest) => call<BulkResult>("Supervisor", "Bulk", r),
  selectOpen: (q: Omit<TableRequest, "offset" | "limit">) => call<string[]>("Supervisor", "SelectOpen", { ...q, offset: 0, limit: 0 }),
  floor: () => call<FloorView>("Supervisor", "Floor"),
  report: (from: number, to: number, by: ReportBy, lineId: string) =>
    call<ReportView>("Supervisor", "Report", from, to, by, lineId),
};

// The workspace structure as the server's admin API gives it (inbox types).
export interface Operator {
  id: string;
  name: string;
  email: string;
  role: string;
  active: boolean;
  capacity: number;
  language?: string;
}

export interface Role {
  id: string;
  name: string;
  permissions: string[] | null;
  builtIn: boolean;
}

export interface Group {
  id: string;
  name: string;
  memberIds: string[] | null;
}

export interface Line {
  id: string;
  name: string;
  operatorGroupIds: string[] | null;
  supervisorGroupIds: string[] | null;
  nameShown: "line" | "operator" | "";
  reopenHours?: number;
  /** Auto-assignment: "" (off), round-robin or least-loaded. */
  autoAssign?: "" | "round_robin" | "least_loaded";
  /** Business hours for metrics and reports; absent: around the clock. */
  businessHours?: Schedule | null;
  archived?: boolean;
}

/** A weekly timetable in one IANA time zone (inbox.Schedule). */
export interface Schedule {
  timeZone: string;
  /** Open intervals per weekday, Sunday first, in minutes since midnight. */
  days: [number, number][][];
}

export interface Channel {
  id: string;
  name: string;
  kind: string;
  connectorId: string;
  lineId: string;
  state: "active" | "failed" | "disabled" | string;
  stateReason?: string;
}

export interface AdminOrg {
  operators: Operator[] | null;
  roles: Role[] | null;
  groups: Group[] | null;
  lines: Line[] | null;
  channels: Channel[] | null;
}

export interface Connector {
  id: string;
  name: string;
  version: string;
  publisher: string;
  kind?: string;
  settingsSchema?: string;
}

export type AdminKind = "operators" | "roles" | "groups" | "lines" | "channels";

export const admin = {
  org: () => call<AdminOrg>("Admin", "Org"),
  /** Creates (id "") or replaces an entity; resolves to its id. */
  save: (kind: AdminKind, id: string, entity: object) => call<string>("Admin", "Save", kind, id, entity),
  connectors: () => call<Connector[]>("Admin", "Connectors"),
  channelSettings: (id: string) => call<Record<string, unknown>>("Admin", "ChannelSettings", id),
  saveChannelSettings: (id: string, settings: Record<string, unknown>) =>
    call<void>("Admin", "SaveChannelSettings", id, settings),
};

/** The SMTP server the team server mails exports through (wire.SMTPSettings); the password is write-only. */
export interface SMTPSettings {
  host: string;
  port: number;
  security: "starttls" | "tls" | "none";
  username?: string;
  /** Left out: keep the saved one; "": clear it. */
  password?: string;
  passwordSet: boolean;
  from: string;
  caCert?: string;
}

export const smtp = {
  get: () => call<SMTPSettings>("Admin", "SMTPSettings"),
  save: (s: SMTPSettings) => call<SMTPSettings>("Admin", "SaveSMTPSettings", s),
};

/** Every permission, in the server's order (inbox.AllPermissions). */
export const permissions = [
  "dialogs.manage",
  "dialogs.view_all",
  "lines.manage",
  "templates.manage_global",
  "users.manage",
  "channels.manage",
  "reports.view",
  "clients.manage",
];
