import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation, inbox } from "../api/wails";
import type { ApiError, DialogView, LineView, OperatorView, TimelineItem } from "../api/types";
import { Composer } from "./Composer";
import { Timeline } from "./Timeline";
import { ClientCard } from "./ClientCard";

interface Props {
  dialogId: string;
  /** Bumped when this dialog changed (an inbox:changed event naming it). */
  version: number;
  onError: (e: ApiError) => void;
}

export function ConversationPane({ dialogId, version, onError }: Props) {
  const { t } = useTranslation();
  const [dialog, setDialog] = useState<DialogView | null>(null);
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [older, setOlder] = useState<{ more: boolean; before: number }>({ more: false, before: 0 });
  const [operators, setOperators] = useState<OperatorView[]>([]);
  const [lines, setLines] = useState<LineView[]>([]);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  // The newest page, on open and on every change of this dialog.
  useEffect(() => {
    let live = true;
    conversation
      .dialog(dialogId)
      .then((d) => live && setDialog(d))
      .catch((e) => live && onError(e));
    conversation
      .history(dialogId, 0)
      .then((h) => {
        if (!live) return;
        setItems(h.items);
        setOlder({ more: h.more, before: h.before });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [dialogId, version, onError]);

  // Opening one's own dialog with unread messages marks them read.
  const unreadMine = dialog?.mine && dialog.row.id === dialogId && dialog.row.unread > 0;
  useEffect(() => {
    if (unreadMine) conversation.markRead(dialogId).catch(() => undefined);
  }, [unreadMine, dialogId]);

  useEffect(() => {
    stickToBottom.current = true;
    inbox.operators().then(setOperators).catch(() => undefined);
    inbox.lines().then(setLines).catch(() => undefined);
  }, [dialogId]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [items]);

  const loadOlder = useCallback(async () => {
    if (!older.more) return;
    const el = scroller.current;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    const h = await conversation.history(dialogId, older.before);
    stickToBottom.current = false;
    setItems((cur) => [...h.items, ...cur]);
    setOlder({ more: h.more, before: h.before });
    // Keep the operator's place while older messages land above it.
    requestAnimationFrame(() => {
      if (el) el.scrollTop = el.scrollHeight - fromBottom;
    });
  }, [dialogId, older]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 60 && older.more) void loadOlder();
  }

  const act = (p: Promise<void>) => p.catch(onError);

  if (!dialog) return <section className="conversation empty">{t("conversation.pick")}</section>;
  const row = dialog.row;
  const open = row.status === "in_progress" || row.status === "snoozed" || row.status === "unassigned";
  return (
    <>
      <section className="conversation" data-testid="conversation">
        <header className="conversation-header">
          <div>
            <h2 className="conversation-title">{row.clientName}</h2>
            <span className="muted">
              #{row.number} · {row.lineName} · {t(`status.${row.status}`, { defaultValue: row.status })}
            </span>
          </div>
          <div className="actions">
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
          </div>
        </header>
        <div className="timeline" ref={scroller} onScroll={onScroll}>
          {older.more && (
            <button type="button" className="load-older" onClick={() => void loadOlder()}>
              {t("conversation.older")}
            </button>
          )}
          <Timeline items={items} />
        </div>
        {dialog.mine ? <Composer dialogId={row.id} onError={onError} /> : row.status === "unassigned" && <p className="preview-hint">{t("conversation.preview")}</p>}
      </section>
      <ClientCard dialogId={row.id} version={version} />
    </>
  );
}
