// Mirrors of the Go view types in app/views.go, app/session.go and
// app/events.go. Times are unix milliseconds, 0 meaning none.

export type SessionStatus =
  | "signed_out"
  | "connecting"
  | "syncing"
  | "online"
  | "reconnecting"
  | "stopped";

export interface SessionState {
  status: SessionStatus;
  server: string;
  operatorId: string;
  operatorName: string;
  managesDialogs: boolean;
  errorCode?: string;
  errorMessage?: string;
}

export type Tab = "unassigned" | "mine" | "snoozed" | "closed" | "all" | "blacklist";

export interface DialogRow {
  id: string;
  number: number;
  clientName: string;
  clientAvatar: string;
  channelKind: string;
  channelName: string;
  lineId: string;
  lineName: string;
  status: string;
  assigneeId: string;
  assigneeName: string;
  assigneeOnline: boolean;
  unread: number;
  lastText: string;
  lastFromTeam: boolean;
  time: number;
}

export interface DialogPage {
  rows: DialogRow[];
  offset: number;
  total: number;
}

export interface LineView {
  id: string;
  name: string;
}

export interface OperatorView {
  id: string;
  name: string;
  online: boolean;
}

export interface MessageView {
  id: string;
  kind: "inbound" | "outbound" | "comment" | "note" | "system";
  authorName: string;
  text: string;
  at: number;
  delivery: string;
  failReason: string;
}

export interface EventView {
  id: string;
  type: string;
  actorName: string;
  from: string;
  to: string;
  at: number;
}

export interface TimelineItem {
  message?: MessageView;
  event?: EventView;
}

export interface HistoryView {
  dialogId: string;
  items: TimelineItem[];
  more: boolean;
  before: number;
}

export interface DialogView {
  row: DialogRow;
  clientId: string;
  mine: boolean;
}

export interface ClientView {
  id: string;
  name: string;
  originalName: string;
  contacts: { kind: string; handle: string }[];
  notes: { authorName: string; text: string; at: number }[];
  blacklisted: boolean;
}

export interface SearchHit {
  messageId: string;
  dialogId: string;
  clientName: string;
  text: string;
  at: number;
}

export interface ClientHit {
  clientId: string;
  name: string;
  dialogId: string;
}

export interface InboxChanged {
  dialogIds: string[];
  org: boolean;
}

export interface SyncProgress {
  done: number;
  total: number;
}

export interface CommandRejected {
  commandId: string;
  dialogId: string;
  code: string;
  message: string;
  args?: Record<string, string>;
}

/** What a rejected binding promise carries (app/errors.go UIError). */
export interface ApiError {
  code: string;
  message?: string;
}
