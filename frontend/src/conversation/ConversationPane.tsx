import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation, inbox, team } from "../api/wails";
import type { ApiError, Colleague, DialogView, HistoryView, LineView, OperatorView, QuoteView, TimelineItem } from "../api/types";
import { useHotkey } from "../hotkeys/hotkeys";
import type { SearchFocus } from "../search/SearchBox";
import { usePreferences } from "../settings/preferences";
import { Composer, type ComposerHandle } from "./Composer";
import { Timeline, type TimelineFocus } from "./Timeline";
import { ClientCard } from "./ClientCard";
import { ExportPanel } from "./ExportPanel";
import { Ratings } from "./Ratings";
import { clientCard, useClientCardOpen } from "../clients/cardState";
import { DialogActions } from "./DialogActions";
import { DialogTags } from "../tags/DialogTags";
import { SelectionBar } from "../tags/SelectionBar";

interface Props {
  dialogId: string;
  /** The signed-in operator. */
  me: string;
  /** Bumped when this dialog changed (an inbox:changed event naming it). */
  version: number;
  /** Open at this message (a search hit) rather than at the newest. */
  focus?: SearchFocus | null;
  /** Opens another dialog (from the client card, or one the operator just started). */
  onOpenDialog: (id: string) => void;
  onError: (e: ApiError) => void;
}

export function ConversationPane({ dialogId, me, version, focus, onOpenDialog, onError }: Props) {
  const { t } = useTranslation();
  const cardOpen = useClientCardOpen();
  const [dialog, setDialog] = useState<DialogView | null>(null);
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [older, setOlder] = useState(false);
  // A page opened at a search hit is not the newest: newer pages follow.
  const [newer, setNewer] = useState(false);
  const [marked, setMarked] = useState<TimelineFocus | null>(null);
  const [bigCard, setBigCard] = useState(false);
  const [prefs] = usePreferences();
  const [operators, setOperators] = useState<OperatorView[]>([]);
  const [lines, setLines] = useState<LineView[]>([]);
  const [colleagues, setColleagues] = useState<Colleague[]>([]);
  const [exporting, setExporting] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  /** Set when a search hit opened the dialog: the next page shown scrolls to its message. */
  const scrollToFocus = useRef(false);
  const composer = useRef<ComposerHandle>(null);
  const [flash, setFlash] = useState("");
  /** A message to show once the older pages holding it are on screen. */
  const jumpTarget = useRef<string | null>(null);
  // The messages selected to tag; another dialog starts with none.
  const [picked, setPicked] = useState<string[]>([]);
  const togglePicked = useCallback((id: string) => setPicked((cur) => (cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id])), []);
  useEffect(() => setPicked([]), [dialogId]);

  // The newest page (or the page around the search hit), on open and on
  // every change of this dialog.
  useEffect(() => {
    let live = true;
    conversation
      .dialog(dialogId)
      .then((d) => live && setDialog(d))
      .catch((e) => live && onError(e));
    const page: Promise<HistoryView> = focus
      ? conversation.historyAround(dialogId, focus.messageId, focus.query).catch(() => conversation.history(dialogId, 0))
      : conversation.history(dialogId, 0);
    page
      .then((h) => {
        if (!live) return;
        setItems(h.items);
        setOlder(h.more);
        setNewer(h.newer);
        setMarked(h.focus ?? null);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [dialogId, version, focus, onError]);

  useEffect(() => {
    scrollToFocus.current = !!focus;
  }, [focus, dialogId]);

  // Opening one's own dialog with unread messages marks them read, unless
  // the operator chose to mark them read only when they say so.
  const unreadMine = dialog?.mine && dialog.row.id === dialogId && dialog.row.unread > 0;
  const readOnOpen = prefs.readOn === "open";
  useEffect(() => {
    if (unreadMine && readOnOpen) conversation.markRead(dialogId).catch(() => undefined);
  }, [unreadMine, readOnOpen, dialogId]);

  const current = dialog && dialog.row.id === dialogId ? dialog.row : null;
  const markRead = () => {
    if (current && current.unread > 0) conversation.markRead(current.id).catch(onError);
  };
  useHotkey("markRead", current ? markRead : null);
  useHotkey("clientCard", current ? () => setBigCard((o) => !o) : null);
  useHotkey("close", bigCard ? () => setBigCard(false) : null);

  useEffect(() => {
    stickToBottom.current = true;
    setExporting(false);
    inbox.operators().then(setOperators).catch(() => undefined);
    inbox.lines().then(setLines).catch(() => undefined);
    team.colleagues().then(setColleagues).catch(() => undefined);
  }, [dialogId]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (scrollToFocus.current && marked) {
      const m = el.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(marked.messageId)}"]`);
      if (m) {
        scrollToFocus.current = false;
        stickToBottom.current = false;
        el.scrollTop = m.offsetTop - el.offsetTop - (el.clientHeight - m.offsetHeight) / 2;
        return;
      }
    }
    if (stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [items, marked]);

  // Pages on either side of what is shown, by its first or last message
  // (messages of one millisecond stay together); one load at a time.
  const loading = useRef(false);
  const loadOlder = useCallback(async () => {
    const first = items.find((it) => it.message)?.message;
    if (!older || !first || loading.current) return;
    loading.current = true;
    try {
      const el = scroller.current;
      const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
      const h = await conversation.historyBefore(dialogId, first.id);
      stickToBottom.current = false;
      setItems((cur) => [...h.items, ...cur]);
      setOlder(h.more);
      // Keep the operator's place while older messages land above it.
      requestAnimationFrame(() => {
        if (el) el.scrollTop = el.scrollHeight - fromBottom;
      });
    } finally {
      loading.current = false;
    }
  }, [dialogId, older, items]);

  const loadNewer = useCallback(async () => {
    const last = [...items].reverse().find((it) => it.message)?.message;
    if (!newer || !last || loading.current) return;
    loading.current = true;
    try {
      const h = await conversation.historyAfter(dialogId, last.id);
      setItems((cur) => [...cur, ...h.items]);
      setNewer(h.newer);
    } finally {
      loading.current = false;
    }
  }, [dialogId, newer, items]);

  /** Scrolls a message of the timeline into view and highlights it; false when it is not loaded. */
  const showMessage = useCallback((id: string) => {
    const el = scroller.current?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(id)}"]`);
    if (!el) return false;
    stickToBottom.current = false;
    el.scrollIntoView({ block: "center" });
    setFlash(id);
    window.setTimeout(() => setFlash((f) => (f === id ? "" : f)), 1600);
    return true;
  }, []);

  /** Shows the original of a quote, loading older pages until it is among them. */
  const jumpTo = useCallback(
    async (id: string) => {
      if (showMessage(id)) return;
      let more = older;
      let first = items.find((it) => it.message)?.message?.id;
      let extra: TimelineItem[] = [];
      for (let i = 0; i < 40 && more && first; i++) {
        const h = await conversation.historyBefore(dialogId, first);
        extra = [...h.items, ...extra];
        more = h.more;
        first = h.items.find((it) => it.message)?.message?.id;
        if (h.items.some((it) => it.message?.id === id)) break;
      }
      if (extra.length === 0) return;
      stickToBottom.current = false;
      jumpTarget.current = id;
      setItems((cur) => [...extra, ...cur]);
      setOlder(more);
    },
    [dialogId, older, items, showMessage],
  );

  useLayoutEffect(() => {
    if (jumpTarget.current && showMessage(jumpTarget.current)) jumpTarget.current = null;
  }, [items, showMessage]);

  const reply = useCallback((q: QuoteView) => composer.current?.reply(q), []);
  const sendTemplate = useCallback(() => composer.current?.sendTemplate(), []);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    stickToBottom.current = !newer && fromBottom < 40;
    if (el.scrollTop < 60 && older) void loadOlder();
    if (fromBottom < 60 && newer) void loadNewer();
  }

  const act = (p: Promise<void>) => p.catch(onError);

  if (!dialog) return <section className="conversation empty">{t("conversation.pick")}</section>;
  const row = dialog.row;
  const open = row.status === "in_progress" || row.status === "snoozed" || row.status === "unassigned";
  return (
    <>
      <section className={`conversation${cardOpen ? "" : " wide"}`} data-testid="conversation">
        <header className="conversation-header">
          <div>
            <h2 className="conversation-title">{row.clientName}</h2>
            <span className="muted">
              #{row.number} · {row.lineName} · {t(`status.${row.status}`, { defaultValue: row.status })}
            </span>
            <DialogTags dialogId={row.id} tags={row.tags} onError={onError} />
          </div>
          <div className="actions">
            {row.unread > 0 && (
              <button type="button" onClick={markRead} data-testid="action-mark-read" title={t("hotkeys.markRead")}>
                {t("conversation.markRead")}
              </button>
            )}
            <button
              type="button"
              className={cardOpen ? "active" : ""}
              aria-pressed={cardOpen}
              onClick={clientCard.toggle}
              data-testid="toggle-client-card"
            >
              {t("client.card")}
            </button>
            {row.status === "unassigned" && (
              <button type="button" onClick={() => act(conversation.take(row.id))} data-testid="action-take">
                {t("conversation.take")}
              </button>
            )}
            {dialog.mine && row.status === "in_progress" && (
              <button type="button" onClick={() => act(conversation.giveBack(row.id))}>
                {t("conversation.giveBack")}
              </button>
            )}
            {open && (
              <button type="button" onClick={() => act(conversation.close(row.id))} data-testid="action-close">
                {t("conversation.close")}
              </button>
            )}
            {open && (
              <button type="button" onClick={() => act(conversation.closeAskRating(row.id))} title={t("ratings.closeAskHint")} data-testid="action-close-rate">
                {t("ratings.closeAsk")}
              </button>
            )}
            <button type="button" onClick={() => setExporting((v) => !v)} aria-expanded={exporting} data-testid="action-export">
              {t("export.button")}
            </button>
            {open && operators.length > 0 && (
              <select value="" onChange={(e) => e.target.value && act(conversation.assign(row.id, e.target.value))} aria-label={t("conversation.assign")}>
                <option value="">{t("conversation.assign")}</option>
                {operators.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            )}
            {open && lines.length > 1 && (
              <select value="" onChange={(e) => e.target.value && act(conversation.transfer(row.id, e.target.value))} aria-label={t("conversation.transfer")}>
                <option value="">{t("conversation.transfer")}</option>
                {lines
                  .filter((l) => l.id !== row.lineId)
                  .map((l) => (
                    <option key={l.id} value={l.id}>
                      {l.name}
                    </option>
                  ))}
              </select>
            )}
            <DialogActions dialog={dialog} version={version} channelId={dialog.channelId} onOpen={onOpenDialog} onError={onError} />
          </div>
        </header>
        <Ratings dialog={dialog} onError={onError} />
        {exporting && <ExportPanel key={`export-${row.id}`} dialog={dialog} items={items} onDone={() => setExporting(false)} />}
        <div className="timeline" ref={scroller} onScroll={onScroll}>
          {older && (
            <button type="button" className="load-older" onClick={() => void loadOlder()}>
              {t("conversation.older")}
            </button>
          )}
          <Timeline
            items={items}
            focus={marked}
            clientName={row.clientName}
            flash={flash}
            onReply={reply}
            onSendTemplate={dialog.templates && dialog.mine ? sendTemplate : undefined}
            onJump={(id) => void jumpTo(id).catch(onError)}
            onError={onError}
            selected={picked}
            onToggle={togglePicked}
          />
          {newer && (
            <button type="button" className="load-older" onClick={() => void loadNewer()}>
              {t("conversation.newer")}
            </button>
          )}
        </div>
        <SelectionBar dialogId={row.id} selected={picked} onClear={() => setPicked([])} onError={onError} />
        {row.status === "unassigned" && <p className="preview-hint">{t("conversation.preview")}</p>}
        <Composer key={row.id} ref={composer} dialogId={row.id} canReply={dialog.mine} colleagues={colleagues} limits={dialog.files} templates={dialog.templates} onError={onError} />
      </section>
      {cardOpen && <ClientCard clientId={dialog.clientId} dialogId={row.id} me={me} version={version} onOpenDialog={onOpenDialog} onError={onError} />}
      {bigCard && (
        <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && setBigCard(false)}>
          <div className="sheet client-card-sheet" role="dialog" aria-modal="true" aria-label={t("client.card")} data-testid="client-card-sheet">
            <ClientCard clientId={dialog.clientId} dialogId={row.id} me={me} version={version} onOpenDialog={onOpenDialog} onError={onError} />
          </div>
        </div>
      )}
    </>
  );
}
