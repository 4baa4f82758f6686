import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { notices } from "../api/wails";
import type { ApiError, NoticeView } from "../api/types";
import { formatListTime, formatNumber } from "../components/format";

interface Props {
  /** Unread entries, from the counters; the list is read when opened. */
  unread: number;
  /** Bumped whenever the centre may have changed (notices:changed). */
  version: number;
  onOpenDialog: (dialogId: string) => void;
  onError: (e: ApiError) => void;
}

/** One entry's title: a mention is worded here, an alert kept its words. */
function titleOf(n: NoticeView, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (n.kind === "mention") return t("notices.mentioned", { name: n.actorName });
  return n.title;
}

/**
 * The bell in the top bar and its list: mentions of the operator and the
 * alerts the app raised, newest first, each linking to its dialog. Every
 * name and text is a text node.
 */
export function NotificationCentre({ unread, version, onOpenDialog, onError }: Props) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<NoticeView[]>([]);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    notices
      .list()
      .then((l) => setItems(l.items))
      .catch(onError);
  }, [open, version, onError]);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  function follow(n: NoticeView) {
    if (!n.read) notices.markRead([n.id]).catch(onError);
    if (n.dialogId) {
      onOpenDialog(n.dialogId);
      setOpen(false);
    }
  }

  return (
    <div className="notices-menu" ref={ref}>
      <button
        type="button"
        data-testid="notices-button"
        aria-expanded={open}
        aria-label={t("notices.button")}
        title={t("notices.unreadCount", { count: unread })}
        onClick={() => setOpen((o) => !o)}
      >
        🔔 {t("notices.button")}
        {unread > 0 && (
          <span className="badge" data-testid="notices-unread">
            {formatNumber(unread)}
          </span>
        )}
      </button>
      {open && (
        <div className="notices-panel" role="dialog" aria-label={t("notices.heading")} data-testid="notices-panel">
          <div className="notices-head">
            <strong>{t("notices.heading")}</strong>
            <button
              type="button"
              disabled={unread === 0}
              onClick={() => notices.markAllRead().catch(onError)}
              data-testid="notices-mark-all"
            >
              {t("notices.markAll")}
            </button>
          </div>
          {items.length === 0 ? (
            <p className="muted">{t("notices.empty")}</p>
          ) : (
            <ul>
              {items.map((n) => (
                <li key={n.id} className={`notice-item notice-${n.kind}${n.read ? "" : " unread"}`} data-testid="notice-item" data-kind={n.kind} data-dialog-id={n.dialogId}>
                  <div className="notice-title">
                    <span>{titleOf(n, t)}</span>
                    <time>{formatListTime(n.at)}</time>
                  </div>
                  {n.body && <div className="notice-body">{n.body}</div>}
                  {n.kind === "mention" && n.clientName && <div className="muted">{t("notices.dialog", { client: n.clientName })}</div>}
                  {n.dialogId && (
                    <button type="button" className="link" onClick={() => follow(n)} data-testid="notice-open">
                      {t("notices.open")}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
