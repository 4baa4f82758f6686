import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { search } from "../api/wails";
import type { ClientHit, SearchHit } from "../api/types";
import { formatListTime } from "../components/format";

/** Client and message search over the replica; picking a hit opens its dialog. */
export function SearchBox({ onOpen }: { onOpen: (dialogId: string) => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [clients, setClients] = useState<ClientHit[]>([]);

  useEffect(() => {
    if (!query.trim()) {
      setHits(null);
      setClients([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      Promise.all([search.clients(query), search.messages(query)])
        .then(([c, h]) => {
          if (!live) return;
          setClients(c);
          setHits(h);
        })
        .catch(() => live && setHits([]));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  return (
    <div className="search">
      <input type="search" placeholder={t("search.placeholder")} value={query} onChange={(e) => setQuery(e.target.value)} data-testid="search-input" />
      {hits && (
        <div className="search-results" data-testid="search-results">
          {hits.length === 0 && clients.length === 0 && <p className="muted">{t("search.none")}</p>}
          {clients.length > 0 && <h4>{t("search.clients")}</h4>}
          {clients.map((c) => (
            <button
              type="button"
              key={c.clientId}
              className="search-hit"
              onClick={() => {
                onOpen(c.dialogId);
                setQuery("");
              }}
            >
              <span className="client-name">{c.name}</span>
            </button>
          ))}
          {hits.length > 0 && <h4>{t("search.messages")}</h4>}
          {hits.map((h) => (
            <button
              type="button"
              key={h.messageId}
              className="search-hit"
              onClick={() => {
                onOpen(h.dialogId);
                setQuery("");
              }}
            >
              <span className="client-name">{h.clientName}</span>
              <span className="dialog-time">{formatListTime(h.at)}</span>
              <span className="last-text">{h.text}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
