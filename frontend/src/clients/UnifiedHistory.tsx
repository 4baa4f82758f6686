import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { clients } from "../api/wails";
import type { HistoryItem } from "../api/types";
import { ChannelBadge } from "../components/Avatar";
import { formatDay, formatClock, formatNumber } from "../components/format";

interface Props {
  clientId: string;
  clientName: string;
  version: number;
  onOpenDialog: (id: string) => void;
  onClose: () => void;
}

function sizeOf(bytes: number, t: (k: string, o: Record<string, unknown>) => string): string {
  if (bytes >= 1 << 20) return t("client.sizeMB", { n: formatNumber(Math.round((bytes / (1 << 20)) * 10) / 10) });
  if (bytes >= 1 << 10) return t("client.sizeKB", { n: formatNumber(Math.round(bytes / (1 << 10))) });
  return t("client.sizeB", { n: formatNumber(bytes) });
}

/**
 * The client's messages on every channel in one timeline, oldest first;
 * older pages load above ("load more"). Each message says its channel and
 * dialog, which one click opens. Text stays text.
 */
export function UnifiedHistory({ clientId, clientName, version, onOpenDialog, onClose }: Props) {
  const { t } = useTranslation();
  const [items, setItems] = useState<HistoryItem[]>([]);
  const [next, setNext] = useState("");
  const scroller = useRef<HTMLDivElement>(null);
  const keepBottom = useRef(true);

  useEffect(() => {
    let live = true;
    clients
      .history(clientId, "")
      .then((h) => {
        if (!live) return;
        keepBottom.current = true;
        setItems(h.items);
        setNext(h.more ? h.next : "");
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [clientId, version]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && keepBottom.current) el.scrollTop = el.scrollHeight;
  }, [items]);

  const loadMore = useCallback(async () => {
    if (!next) return;
    const el = scroller.current;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    const h = await clients.history(clientId, next);
    keepBottom.current = false;
    setItems((cur) => [...h.items, ...cur]);
    setNext(h.more ? h.next : "");
    requestAnimationFrame(() => {
      if (el) el.scrollTop = el.scrollHeight - fromBottom;
    });
  }, [clientId, next]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [onClose]);

  let lastDay = "";
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal unified-history" role="dialog" aria-label={t("client.historyOf", { name: clientName })} onClick={(e) => e.stopPropagation()} data-testid="unified-history">
        <header className="modal-header">
          <strong>{t("client.historyOf", { name: clientName })}</strong>
          <button type="button" onClick={onClose} aria-label={t("client.closeHistory")} data-testid="close-history">
            ×
          </button>
        </header>
        <div className="history-list" ref={scroller}>
          {next && (
            <button type="button" className="load-older" onClick={() => void loadMore()} data-testid="history-more">
              {t("client.loadMore")}
            </button>
          )}
          {items.length === 0 && <p className="muted">{t("client.noHistory")}</p>}
          {items.map((it, i) => {
            const m = it.message;
            const day = new Date(m.at).toDateString();
            const sep = day !== lastDay;
            lastDay = day;
            const team = m.kind !== "inbound" && m.kind !== "system";
            return (
              <div key={m.id}>
                {sep && <div className="day-separator">{formatDay(m.at)}</div>}
                <div
                  className={`history-item${i % 2 ? " alt" : ""}${team ? " by-team" : ""} message-${m.kind}`}
                  data-testid="history-item"
                  data-kind={m.kind}
                  data-channel={it.channelKind}
                >
                  <div className="history-meta">
                    <ChannelBadge kind={it.channelKind} title={it.channelName} />
                    <span className="history-author">{m.authorName || (m.kind === "inbound" ? clientName : t("event.system"))}</span>
                    <button type="button" className="link" onClick={() => onOpenDialog(it.dialogId)} title={t("client.openDialog")} data-testid="history-dialog">
                      #{it.dialogNumber}
                    </button>
                    <time>{formatClock(m.at)}</time>
                  </div>
                  <div className="message-text">{m.text}</div>
                  {it.attachments.length > 0 && (
                    <ul className="attachments">
                      {it.attachments.map((a) => (
                        <li key={a.id} className="attachment" data-testid="history-attachment">
                          <span className="attachment-name">{a.name}</span>
                          <span className="muted">
                            {" "}
                            {a.mime} · {sizeOf(a.size, t)}
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
