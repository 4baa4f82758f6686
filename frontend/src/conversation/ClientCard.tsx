import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation } from "../api/wails";
import type { ClientView } from "../api/types";
import { formatDay } from "../components/format";

export function ClientCard({ dialogId, version }: { dialogId: string; version: number }) {
  const { t } = useTranslation();
  const [client, setClient] = useState<ClientView | null>(null);

  useEffect(() => {
    let live = true;
    conversation
      .client(dialogId)
      .then((c) => live && setClient(c))
      .catch(() => live && setClient(null));
    return () => {
      live = false;
    };
  }, [dialogId, version]);

  if (!client) return <aside className="client-card" />;
  return (
    <aside className="client-card" data-testid="client-card">
      <h3>{t("client.card")}</h3>
      <p className="client-card-name">{client.name}</p>
      {client.originalName && client.originalName !== client.name && (
        <p className="muted">{t("client.originalName", { name: client.originalName })}</p>
      )}
      {client.blacklisted && <p className="badge-blacklisted">{t("client.blacklisted")}</p>}
      <h4>{t("client.contacts")}</h4>
      <ul>
        {client.contacts.map((c, i) => (
          <li key={i}>
            <span className="muted">{c.kind}</span> {c.handle}
          </li>
        ))}
      </ul>
      <h4>{t("client.notes")}</h4>
      {client.notes.length === 0 ? (
        <p className="muted">{t("client.noNotes")}</p>
      ) : (
        <ul className="notes">
          {client.notes.map((n, i) => (
            <li key={i}>
              <div className="note-text">{n.text}</div>
              <div className="muted">
                {n.authorName} · {formatDay(n.at)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
