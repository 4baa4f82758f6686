// The one module that touches the Wails bindings and runtime. Components
// import the typed functions below and never reach for window.go.

import type {
  AlertSettings,
  ApiError,
  ChannelChoice,
  ChannelView,
  ClientHit,
  ClientDialogPage,
  ClientHistoryView,
  ClientView,
  Colleague,
  CommandRejected,
  Counters,
  DialogActivity,
  DialogFilter,
  DialogPage,
  DialogView,
  ExportRequest,
  ExportResult,
  DraftView,
  FileProgress,
  HistoryView,
  ImportantRow,
  InboxChanged,
  LineView,
  MessageView,
  NoticeList,
  NoticesChanged,
  OperatorView,
  Preferences,
  HostingView,
  PhoneCheck,
  SavedFilter,
  SearchHit,
  SearchIndexing,
  SessionState,
  StagedFile,
  SyncProgress,
  Tab,
  TagView,
  TemplateList,
} from "./types";

type Bound = (...args: unknown[]) => Promise<unknown>;
type Service = Record<string, Bound>;

interface WailsWindow {
  go?: { app?: Record<string, Service> };
  runtime?: {
    EventsOn: (name: string, cb: (data: unknown) => void) => (() => void) | void;
    EventsOff: (name: string) => void;
    WindowSetTitle?: (title: string) => void;
  };
}

const w = window as unknown as WailsWindow;

/** Waits for the Wails runtime to inject the bindings (the dev build's page loads them by script). */
async function service(name: string): Promise<Service> {
  for (let i = 0; i < 200; i++) {
    const s = w.go?.app?.[name];
    if (s) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw toApiError(new Error(`binding ${name} missing`));
}

/** Turns a rejected promise's payload into an ApiError with a stable code. */
export function toApiError(err: unknown): ApiError {
  const text = err instanceof Error ? err.message : String(err);
  try {
    const parsed = JSON.parse(text) as ApiError;
    if (parsed && typeof parsed.code === "string") return parsed;
  } catch {
    // not one of ours
  }
  return { code: "internal", message: text };
}

export async function call<T>(svc: string, method: string, ...args: unknown[]): Promise<T> {
  const s = await service(svc);
  try {
    return (await s[method](...args)) as T;
  } catch (err) {
    throw toApiError(err);
  }
}

export const session = {
  state: () => call<SessionState>("Session", "State"),
  login: (server: string, email: string, password: string) =>
    call<SessionState>("Session", "Login", server, email, password),
  logout: () => call<void>("Session", "Logout"),
};

export const inbox = {
  tabs: () => call<Tab[]>("Inbox", "Tabs"),
  list: (tab: Tab, lineId: string, query: string, offset: number, limit: number) =>
    call<DialogPage>("Inbox", "ListDialogs", tab, lineId, query, offset, limit),
  counts: () => call<Record<Tab, number>>("Inbox", "Counts"),
  counters: () => call<Counters>("Inbox", "Counters"),
  lines: () => call<LineView[]>("Inbox", "Lines"),
  operators: () => call<OperatorView[]>("Inbox", "Operators"),
  /** Marks every dialog of the tab with unread messages read; resolves to how many. */
  markAllRead: (tab: Tab) => call<number>("Inbox", "MarkAllRead", tab),
  /** A tab narrowed by a filter (every field set must match) and a client-name query. */
  listFiltered: (tab: Tab, filter: DialogFilter, query: string, offset: number, limit: number) =>
    call<DialogPage>("Inbox", "ListFiltered", tab, filter, query, offset, limit),
  tags: () => call<TagView[]>("Inbox", "Tags"),
  channels: () => call<ChannelView[]>("Inbox", "Channels"),
  savedFilters: () => call<SavedFilter[]>("Inbox", "SavedFilters"),
  saveFilter: (name: string, filter: DialogFilter) => call<SavedFilter>("Inbox", "SaveFilter", name, filter),
  deleteFilter: (id: string) => call<void>("Inbox", "DeleteFilter", id),
};

export const conversation = {
  dialog: (id: string) => call<DialogView>("Conversation", "Dialog", id),
  history: (id: string, before: number) => call<HistoryView>("Conversation", "History", id, before),
  /** The page around a message a search hit points at, the words of `query` marked in it. */
  historyAround: (id: string, messageId: string, query: string) =>
    call<HistoryView>("Conversation", "HistoryAround", id, messageId, query),
  /** The pages before and after a message of the timeline (messages of one millisecond stay together). */
  historyBefore: (id: string, messageId: string) => call<HistoryView>("Conversation", "HistoryBefore", id, messageId),
  historyAfter: (id: string, messageId: string) => call<HistoryView>("Conversation", "HistoryAfter", id, messageId),
  send: (id: string, kind: "outbound" | "comment" | "note", text: string, mentions: string[] = [], replyToId = "") =>
    call<string>("Conversation", "Send", id, kind, text, mentions, replyToId),
  editMessage: (messageId: string, text: string) => call<void>("Conversation", "EditMessage", messageId, text),
  deleteMessage: (messageId: string) => call<void>("Conversation", "DeleteMessage", messageId),
  /** The dialog's unsent draft, kept in the replica. */
  draft: (id: string) => call<DraftView>("Conversation", "Draft", id),
  saveDraft: (id: string, kind: string, text: string, replyToId: string) =>
    call<void>("Conversation", "SaveDraft", id, kind, text, replyToId),
  /** Send with files the app holds (files.finish); text may be empty then. */
  sendWithFiles: (
    id: string,
    kind: "outbound" | "comment" | "note",
    text: string,
    mentions: string[],
    replyToId: string,
    files: { fileId: string; name: string; mime: string }[],
  ) => call<string>("Conversation", "SendWithFiles", id, kind, text, mentions, replyToId, files),
  /** Sends the channel's approved template (WhatsApp after 24 hours) as a reply. */
  sendTemplate: (id: string, name: string, language: string, params: string[]) =>
    call<string>("Conversation", "SendTemplate", id, name, language, params),
  /** Colleagues' replies to the customer after `since` (unix ms). */
  repliesSince: (id: string, since: number) => call<MessageView[]>("Conversation", "RepliesSince", id, since),
  take: (id: string) => call<void>("Conversation", "Take", id),
  close: (id: string) => call<void>("Conversation", "Close", id),
  giveBack: (id: string) => call<void>("Conversation", "Return", id),
  transfer: (id: string, lineId: string) => call<void>("Conversation", "Transfer", id, lineId),
  assign: (id: string, operatorId: string) => call<void>("Conversation", "Assign", id, operatorId),
  markRead: (id: string) => call<void>("Conversation", "MarkRead", id),
  /** Closes the dialog and asks the customer for a rating from 1 to 5. */
  closeAskRating: (id: string) => call<void>("Conversation", "CloseAskRating", id),
  rateClient: (id: string, rating: number) => call<void>("Conversation", "RateClient", id, rating),
  rateDialog: (id: string, rating: number, comment: string) => call<void>("Conversation", "RateDialog", id, rating, comment),
  /** The team server mails the conversation (it holds the SMTP settings). */
  exportEmail: (id: string, req: ExportRequest) => call<ExportResult>("Conversation", "ExportEmail", id, req),
  /** Saves the conversation as an HTML file where the operator chooses; resolves to the path, "" if cancelled. */
  saveTranscript: (id: string, messageIds: string[], language: string) =>
    call<string>("Conversation", "SaveTranscript", id, messageIds, language),
  /** Snoozes until a time (unix ms), or with 0 until the client writes. */
  snooze: (id: string, until: number) => call<void>("Conversation", "Snooze", id, until),
  wake: (id: string) => call<void>("Conversation", "Wake", id),
  markSpam: (id: string) => call<void>("Conversation", "MarkSpam", id),
  /** Sends the dialog's client to the blacklist (true) or lets it back. */
  blacklist: (id: string, on: boolean) => call<void>("Conversation", "Blacklist", id, on),
  /** Pins the dialog's client to the operator (true) or unpins it. */
  pin: (id: string, on: boolean) => call<void>("Conversation", "Pin", id, on),
  /** Makes a tag on the spot (or returns the one of that name). */
  createTag: (name: string) => call<TagView>("Conversation", "CreateTag", name),
  tagMessages: (id: string, messageIds: string[], tagId: string) => call<void>("Conversation", "TagMessages", id, messageIds, tagId),
  tagDialog: (id: string, tagId: string) => call<void>("Conversation", "TagDialog", id, tagId),
  untagDialog: (id: string, tagId: string) => call<void>("Conversation", "UntagDialog", id, tagId),
};

export const clients = {
  /** The card; dialogId (may be "") is the dialog it is opened from, for the blacklist and pin controls. */
  card: (clientId: string, dialogId: string) => call<ClientView>("Clients", "Card", clientId, dialogId),
  dialogs: (clientId: string, offset: number, limit: number) => call<ClientDialogPage>("Clients", "Dialogs", clientId, offset, limit),
  /** The unified history, oldest first; cursor "" for the newest page. */
  history: (clientId: string, cursor: string) => call<ClientHistoryView>("Clients", "History", clientId, cursor),
  important: () => call<ImportantRow[]>("Clients", "Important"),
  rename: (clientId: string, name: string) => call<void>("Clients", "Rename", clientId, name),
  describe: (clientId: string, text: string) => call<void>("Clients", "Describe", clientId, text),
  /** Adds a contact (externalId "") or changes one typed before. */
  saveContact: (clientId: string, channelId: string, externalId: string, value: string) =>
    call<void>("Clients", "SaveContact", clientId, channelId, externalId, value),
  addNote: (clientId: string, text: string) => call<void>("Clients", "AddNote", clientId, text),
  /** due is a day of the operator's calendar, "2025-01-31". */
  createTask: (clientId: string, text: string, due: string, assigneeId: string) =>
    call<void>("Clients", "CreateTask", clientId, text, due, assigneeId),
  completeTask: (taskId: string, done: boolean) => call<void>("Clients", "CompleteTask", taskId, done),
  deleteTask: (taskId: string) => call<void>("Clients", "DeleteTask", taskId),
};

export const outgoing = {
  clientChannels: (clientId: string) => call<ChannelChoice[]>("Outgoing", "ClientChannels", clientId),
  phoneChannels: () => call<ChannelChoice[]>("Outgoing", "PhoneChannels"),
  checkPhone: (channelId: string, phone: string) => call<PhoneCheck>("Outgoing", "CheckPhone", channelId, phone),
  /** Writes first to a known client; resolves to the new dialog's id. */
  start: (clientId: string, channelId: string, text: string) => call<string>("Outgoing", "Start", clientId, channelId, text),
  startByPhone: (channelId: string, chatId: string, phone: string, name: string, text: string) =>
    call<string>("Outgoing", "StartByPhone", channelId, chatId, phone, name, text),
};

/** Attachments: a file is copied in piece by piece (base64), then uploads on its own. */
export const files = {
  begin: (name: string, mime: string, size: number) => call<string>("Files", "Begin", name, mime, size),
  append: (stageId: string, piece: string) => call<void>("Files", "Append", stageId, piece),
  finish: (stageId: string) => call<StagedFile>("Files", "Finish", stageId),
  cancel: (stageId: string) => call<void>("Files", "Cancel", stageId),
  /** Starts the upload again (after a failure). */
  upload: (fileId: string) => call<void>("Files", "Upload", fileId),
  /** Asks where to save a received file and saves it; false when cancelled. */
  save: (fileId: string, name: string) => call<boolean>("Files", "Save", fileId, name),
};

export const search = {
  messages: (query: string) => call<SearchHit[]>("Search", "Messages", query),
  clients: (query: string) => call<ClientHit[]>("Search", "Clients", query),
  /** How far the search index is filled: while building, older messages may be missing from the hits. */
  indexing: () => call<SearchIndexing>("Search", "Indexing"),
};

export const alerts = {
  settings: () => call<AlertSettings>("Alerts", "Settings"),
  setSettings: (s: AlertSettings) => call<AlertSettings>("Alerts", "SetSettings", s),
  /** The dialog on screen ("" when none or the window is in the background): it never alerts. */
  setViewing: (dialogId: string) => call<void>("Alerts", "SetViewing", dialogId),
};

export const preferences = {
  get: () => call<Preferences>("Preferences", "Get"),
  set: (p: Preferences) => call<Preferences>("Preferences", "Set", p),
  hosting: () => call<HostingView>("Preferences", "Hosting"),
};

export const team = {
  colleagues: () => call<Colleague[]>("Team", "Colleagues"),
  activity: (dialogId: string) => call<DialogActivity>("Team", "Activity", dialogId),
  // reply: typing a reply the customer will get (the channel may show it), not a comment.
  setTyping: (dialogId: string, typing: boolean, reply: boolean) => call<void>("Team", "SetTyping", dialogId, typing, reply),
  /** The dialog open in the window ("" for none): colleagues see us viewing it. */
  setOpen: (dialogId: string) => call<void>("Team", "SetOpen", dialogId),
  addColleagues: (dialogId: string, operatorIds: string[], comment: string) =>
    call<void>("Team", "AddColleagues", dialogId, operatorIds, comment),
};

export const notices = {
  list: () => call<NoticeList>("Notices", "List"),
  markRead: (ids: string[]) => call<void>("Notices", "MarkRead", ids),
  markAllRead: () => call<void>("Notices", "MarkAllRead"),
};

export const templates = {
  /** The templates matching `query`, filled for the dialog. */
  list: (dialogId: string, query: string) => call<TemplateList>("Templates", "List", dialogId, query),
  /** Creates (id "") or changes a template; resolves to its id. */
  save: (id: string, title: string, text: string, global: boolean) => call<string>("Templates", "Save", id, title, text, global),
  remove: (id: string) => call<void>("Templates", "Delete", id),
};

/** Sets the window's title (the taskbar shows it) and the page's. */
export function setWindowTitle(title: string) {
  document.title = title;
  w.runtime?.WindowSetTitle?.(title);
}

/** Event names and payloads, mirroring app/events.go. */
export interface EventMap {
  "inbox:changed": InboxChanged;
  "session:state": SessionState;
  "sync:progress": SyncProgress;
  "command:rejected": CommandRejected;
  "dialog:activity": DialogActivity;
  "notices:changed": NoticesChanged;
  "templates:changed": null;
  "files:progress": FileProgress;
  "hosting:changed": HostingView;
}

/** Subscribes to a backend event; returns the unsubscribe function. */
export function onEvent<K extends keyof EventMap>(name: K, cb: (data: EventMap[K]) => void): () => void {
  let off: (() => void) | undefined;
  let cancelled = false;
  const attach = () => {
    if (cancelled) return;
    if (!w.runtime) {
      setTimeout(attach, 25);
      return;
    }
    const r = w.runtime.EventsOn(name, (data) => cb(data as EventMap[K]));
    off = typeof r === "function" ? r : () => w.runtime?.EventsOff(name);
  };
  attach();
  return () => {
    cancelled = true;
    off?.();
  };
}
