import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { search } from "../api/wails";
import type { SearchHit } from "../api/types";
import { formatListTime } from "../components/format";

/** Message search over the replica; picking a hit opens its dialog. */
export function SearchBox({ onOpen }: { onOpen: (dialogId: string) => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[] | null>(null);

  useEffect(() => {
    if (!query.trim()) {
      setHits(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      search
        .messages(query)
        .then((h) => live && setHits(h))
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
          {hits.length === 0 && <p className="muted">{t("search.none")}</p>}
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
