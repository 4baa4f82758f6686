import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { clients } from "../api/wails";
import type { ClientDialogView } from "../api/types";
import { ChannelBadge } from "../components/Avatar";
import { formatListTime } from "../components/format";
import { Section } from "./Section";
import { UnifiedHistory } from "./UnifiedHistory";

const first = 3;
const more = 10;

interface Props {
  clientId: string;
  clientName: string;
  version: number;
  onOpenDialog: (id: string) => void;
}

/** The client's latest dialogs on every channel, more on request, and the unified history. */
export function DialogsSection({ clientId, clientName, version, onOpenDialog }: Props) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(first);
  const [rows, setRows] = useState<ClientDialogView[]>([]);
  const [total, setTotal] = useState(0);
  const [history, setHistory] = useState(false);

  useEffect(() => setShown(first), [clientId]);
  useEffect(() => {
    let live = true;
    clients
      .dialogs(clientId, 0, shown)
      .then((p) => {
        if (!live) return;
        setRows(p.rows);
        setTotal(p.total);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [clientId, shown, version]);

  return (
    <Section
      id="dialogs"
      title={t("client.dialogs")}
      extra={
        <button type="button" className="link" onClick={() => setHistory(true)} data-testid="open-history">
          {t("client.history")}
        </button>
      }
    >
      <ul className="client-dialogs">
        {rows.map((d) => (
          <li key={d.id}>
            <button type="button" className="client-dialog" onClick={() => onOpenDialog(d.id)} data-testid="client-dialog" data-dialog-id={d.id}>
              <span className="dialog-top">
                <ChannelBadge kind={d.channelKind} title={d.channelName} />
                <span>#{d.number}</span>
                <span className="muted">{t(`status.${d.status}`, { defaultValue: d.status })}</span>
                <span className="dialog-time">{formatListTime(d.at)}</span>
              </span>
              <span className="last-text">{d.lastText}</span>
              {d.assigneeName && <span className="muted">{t("client.responsible", { name: d.assigneeName })}</span>}
            </button>
          </li>
        ))}
      </ul>
      {total > rows.length && (
        <button type="button" className="link" onClick={() => setShown((n) => n + more)} data-testid="client-dialogs-more">
          {t("client.showMore", { count: total - rows.length })}
        </button>
      )}
      {history && (
        <UnifiedHistory
          clientId={clientId}
          clientName={clientName}
          version={version}
          onOpenDialog={(id) => {
            setHistory(false);
            onOpenDialog(id);
          }}
          onClose={() => setHistory(false)}
        />
      )}
    </Section>
  );
}
