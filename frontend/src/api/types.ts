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

/** "important" lists clients (with my tasks due today or overdue), the others dialogs. */
export type Tab = "important" | "unassigned" | "mine" | "snoozed" | "closed" | "all" | "blacklist";

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
  /** The operator has an unsent draft in the dialog. */
  draft: boolean;
  time: number;
  /** When a snoozed dialog comes back; 0 while it waits for the client. */
  snoozedUntil: number;
  /** The client is blacklisted. */
  blacklisted: boolean;
  tags: TagView[];
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
  authorId: string;
  authorName: string;
  /** Names of the colleagues a comment mentions. */
  mentions: string[];
  text: string;
  at: number;
  delivery: string;
  failReason: string;
  /** The message this one answers; null when none. */
  replyTo: QuoteView | null;
  edited: boolean;
  deleted: boolean;
  /** How the operator's latest edit or delete travels to the customer ("" when nothing travels). */
  changeDelivery: string;
  changeFailReason: string;
  edit: ChangeRule;
  delete: ChangeRule;
  /** The message's files (app/attachments.go AttachmentView). */
  attachments: AttachmentView[];
  /** Tags put on the message; never taken off. */
  tags: TagView[];
}

/** Whether the operator may edit or delete a message now (app/message_changes.go). */
export interface ChangeRule {
  allowed: boolean;
  /** The refusal's code when not allowed: "message.edit_window", "message.not_author"... */
  reason: string;
  /** The channel's window in seconds: 0 none, -1 no limit. */
  window: number;
  /** The last moment the change is allowed (unix ms), 0 when no window limits it. */
  until: number;
}

/** What a reply shows of the message it answers. */
export interface QuoteView {
  id: string;
  kind: string;
  /** The operator's name, or the client's for a message from the client. */
  authorName: string;
  text: string;
  deleted: boolean;
  /** This desktop does not hold the message. */
  missing: boolean;
}

/** The operator's unsent draft in a dialog. */
export interface DraftView {
  kind: "" | "outbound" | "comment" | "note";
  text: string;
  replyTo: QuoteView | null;
}

/** A file on a message; url serves it to this window. */
export interface AttachmentView {
  id: string;
  fileId: string;
  name: string;
  mime: string;
  size: number;
  url: string;
  image: boolean;
  audio: boolean;
}

/** What the dialog's channel takes in a reply (app/attachments.go FileLimits). */
export interface FileLimits {
  accepts: boolean;
  /** 0: no channel limit. */
  maxBytes: number;
  /** MIME types or patterns ("image/*"); empty: any. */
  types: string[];
  /** 0: no channel limit. */
  maxCount: number;
  audio: boolean;
}

/** A file copied into the app, ready to attach (app/filestore.go). */
export interface StagedFile {
  fileId: string;
  name: string;
  mime: string;
  size: number;
}

/** A file's upload progress (app/uploads.go FileProgress). */
export interface FileProgress {
  fileId: string;
  sent: number;
  total: number;
  state: "uploading" | "done" | "failed";
  code?: string;
  args?: Record<string, string>;
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
  /** A page opened at a search hit: newer messages follow. */
  newer: boolean;
  /** The message a search hit opened the page at, the matched words marked. */
  focus?: { messageId: string; parts: TextPart[] };
}

/** A piece of text; `match` marks where a search word matched. Rendered as text, never markup. */
export interface TextPart {
  text: string;
  match?: boolean;
}

/** The operator's preferences on this desktop (app/reading.go). */
export interface Preferences {
  /** "open": opening one's dialog marks it read; "mark": only Shift+Enter or the button does. */
  readOn: "open" | "mark";
  /** This computer competes to run channels whose plugin it has (app/hosting.go). */
  hostChannels: boolean;
}

/** Channel hosting on this computer (app/hosting.go HostingView). */
export interface HostingView {
  enabled: boolean;
  /** Names of the channels this computer runs now. */
  channels: string[];
  /** Why hosting does not run though enabled ("auth.forbidden": the operator does not manage channels). */
  errorCode?: string;
  errorMessage?: string;
}

export interface DialogView {
  row: DialogRow;
  clientId: string;
  channelId: string;
  mine: boolean;
  ratings: RatingsView;
  /** The operator may move the dialog (snooze it, close it as spam). */
  mayHandle: boolean;
  /** What the channel takes in a reply. */
  files: FileLimits;
  /** The channel sends approved message templates (WhatsApp). */
  templates: boolean;
}

/** A dialog's ratings (1–5, 0 = none) and which the operator may give (app/ratings.go). */
export interface RatingsView {
  client: number;
  operator: number;
  supervisor: number;
  comment: string;
  /** The customer was asked and has not answered yet. */
  awaiting: boolean;
  mayRateClient: boolean;
  mayRateDialog: boolean;
}

/** What to export (app/export.go): no messageIds = the whole conversation. */
export interface ExportRequest {
  to: string;
  subject: string;
  messageIds: string[];
  language: string;
  timeZone: string;
}

export interface ExportResult {
  to: string;
  messages: number;
}

/** The client card (app/clientviews.go). */
export interface ClientView {
  id: string;
  name: string;
  originalName: string;
  renamed: boolean;
  description: string;
  avatarUrl: string;
  blacklisted: boolean;
  contacts: ContactView[];
  notes: { authorName: string; text: string; at: number }[];
  tasks: TaskView[];
  /** The channels a phone or an e-mail may be typed in for. */
  contactChannels: ChannelView[];
  canBlacklist: boolean;
  canUnblock: boolean;
  /** What the pin control offers (app/views.go ClientView.Pin). */
  pin: "" | "pin" | "unpin" | "pinned" | "unpin_other";
  pinName: string;
}

export interface ContactView {
  channelId: string;
  channelName: string;
  kind: string;
  externalId: string;
  handle: string;
  /** Typed by an operator: may be edited. */
  manual: boolean;
}

export interface ChannelView {
  id: string;
  name: string;
  kind: string;
}

export interface TaskView {
  id: string;
  text: string;
  dueAt: number;
  done: boolean;
  overdue: boolean;
  assigneeId: string;
  assigneeName: string;
  createdByName: string;
  mayChange: boolean;
}

export interface ClientDialogView {
  id: string;
  number: number;
  channelKind: string;
  channelName: string;
  status: string;
  lastText: string;
  at: number;
  assigneeName: string;
}

export interface ClientDialogPage {
  rows: ClientDialogView[];
  total: number;
}

export interface HistoryItem {
  message: MessageView;
  dialogId: string;
  dialogNumber: number;
  channelKind: string;
  channelName: string;
  attachments: AttachmentView[];
}

export interface ClientHistoryView {
  items: HistoryItem[];
  more: boolean;
  /** The cursor of the older page ("" when none). */
  next: string;
}

/** A client of the Important tab. */
export interface ImportantRow {
  clientId: string;
  name: string;
  avatarUrl: string;
  tasks: number;
  firstDue: number;
  firstTask: string;
  overdue: boolean;
  dialogId: string;
}

/** A channel the operator may start a dialog on (app/views.go). */
export interface ChannelChoice {
  id: string;
  name: string;
  kind: string;
  lineName: string;
  /** The client's open dialog on the channel, where to write instead. */
  openDialogId: string;
}

/** The channel's answer about a phone number. */
export interface PhoneCheck {
  reachable: boolean;
  chatId: string;
  clientId: string;
  clientName: string;
}

export interface SearchHit {
  messageId: string;
  dialogId: string;
  clientName: string;
  text: string;
  at: number;
  /** The excerpt to show, the matched words marked. */
  parts: TextPart[];
}

export interface ClientHit {
  clientId: string;
  name: string;
  dialogId: string;
  nameParts: TextPart[];
  /** The contact the search matched ("" when only the name did). */
  contact: string;
  contactParts: TextPart[];
}

export interface InboxChanged {
  dialogIds: string[];
  org: boolean;
  /** A client, a note or a task changed. */
  clients?: boolean;
}

/** How far the messages' search index is filled (after a first sign-in it fills in the background, newest first). */
export interface SearchIndexing {
  building: boolean;
  done: number;
  total: number;
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

/** Native alert settings (app/notify Settings). */
export interface AlertSettings {
  doNotDisturb: boolean;
  hideText: boolean;
  language: string;
}

/** What a rejected binding promise carries (app/errors.go UIError). */
export interface ApiError {
  code: string;
  message?: string;
  /** For validation errors: the form field -> its error code. */
  fields?: Record<string, string>;
  /** A refusal's placeholders (an operator's name...). */
  args?: Record<string, string>;
}

/** A teammate (app/activity.go Colleague). */
export interface Colleague {
  id: string;
  name: string;
  online: boolean;
}

/** Who else types in or views a dialog now (app/activity.go). */
export interface DialogActivity {
  dialogId: string;
  typing: Colleague[];
  viewing: Colleague[];
  /** The customer is typing (where its channel tells). */
  clientTyping: boolean;
}

/** One entry of the notification centre (app/notices.go). */
export interface NoticeView {
  id: string;
  kind: string;
  dialogId: string;
  actorName: string;
  clientName: string;
  title: string;
  body: string;
  count: number;
  at: number;
  read: boolean;
}

export interface NoticeList {
  items: NoticeView[];
  unread: number;
}

export interface NoticesChanged {
  unread: number;
}

export interface LineCounter {
  id: string;
  name: string;
  unassigned: number;
  unread: number;
  badge: number;
}

/** The inbox's counters by the operator's roles (app/views.go Counters). */
export interface Counters {
  tabs: Partial<Record<Tab, number>>;
  tabUnread: Partial<Record<Tab, number>>;
  lines: LineCounter[];
  unread: number;
  unassigned: number;
  total: number;
  notices: number;
}

/** A quick reply in the composer's picker (app/templates.go TemplateView). */
export interface TemplateView {
  id: string;
  title: string;
  /** As written, with its {variables}. */
  text: string;
  /** With the variables filled for the open dialog: what the picker inserts. */
  filled: string;
  /** The team's (true) or the operator's own. */
  global: boolean;
  editable: boolean;
}

/** What the template picker shows (app/templates.go TemplateList). */
export interface TemplateList {
  items: TemplateView[];
  canManageGlobal: boolean;
  /** The variables a template may hold, e.g. "client.name". */
  variables: string[];
}

/** A tag (app/tags.go TagView); color is "#rrggbb" or "". */
export interface TagView {
  id: string;
  name: string;
  color: string;
}

/**
 * What the inbox's filter narrows a tab by (app/replica Filter): every
 * field set must match. from/to are unix ms (to exclusive) on the time the
 * tab shows; operatorId "-" means nobody.
 */
export interface DialogFilter {
  lineId?: string;
  operatorId?: string;
  status?: string;
  channelId?: string;
  tagId?: string;
  from?: number;
  to?: number;
}

/** One of the operator's saved filters (app/tags.go SavedFilterView). */
export interface SavedFilter {
  id: string;
  name: string;
  filter: DialogFilter;
}
