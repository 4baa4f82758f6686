// The one module that touches the Wails bindings and runtime. Components
// import the typed functions below and never reach for window.go.

import type {
  ApiError,
  ClientHit,
  ClientView,
  CommandRejected,
  DialogPage,
  DialogView,
  HistoryView,
  InboxChanged,
  LineView,
  OperatorView,
  SearchHit,
  SessionState,
  SyncProgress,
  Tab,
} from "./types";

type Bound = (...args: unknown[]) => Promise<unknown>;
type Service = Record<string, Bound>;

interface WailsWindow {
  go?: { app?: Record<string, Service> };
  runtime?: {
    EventsOn: (name: string, cb: (data: unknown) => void) => (() => void) | void;
    EventsOff: (name: string) => void;
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

async function call<T>(svc: string, method: string, ...args: unknown[]): Promise<T> {
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
  lines: () => call<LineView[]>("Inbox", "Lines"),
  operators: () => call<OperatorView[]>("Inbox", "Operators"),
};

export const conversation = {
  dialog: (id: string) => call<DialogView>("Conversation", "Dialog", id),
  history: (id: string, before: number) => call<HistoryView>("Conversation", "History", id, before),
  client: (id: string) => call<ClientView>("Conversation", "Client", id),
  send: (id: string, kind: "outbound" | "comment" | "note", text: string) =>
    call<string>("Conversation", "Send", id, kind, text),
  take: (id: string) => call<void>("Conversation", "Take", id),
  close: (id: string) => call<void>("Conversation", "Close", id),
  giveBack: (id: string) => call<void>("Conversation", "Return", id),
  transfer: (id: string, lineId: string) => call<void>("Conversation", "Transfer", id, lineId),
  assign: (id: string, operatorId: string) => call<void>("Conversation", "Assign", id, operatorId),
  markRead: (id: string) => call<void>("Conversation", "MarkRead", id),
};

export const search = {
  messages: (query: string) => call<SearchHit[]>("Search", "Messages", query),
  clients: (query: string) => call<ClientHit[]>("Search", "Clients", query),
};

/** Event names and payloads, mirroring app/events.go. */
export interface EventMap {
  "inbox:changed": InboxChanged;
  "session:state": SessionState;
  "sync:progress": SyncProgress;
  "command:rejected": CommandRejected;
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
