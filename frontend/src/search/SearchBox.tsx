import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { search } from "../api/wails";
import type { ClientHit, SearchHit, SearchIndexing } from "../api/types";
import { formatListTime } from "../components/format";
import { Highlighted } from "../components/Highlighted";

/** Where a message hit opens its dialog: at the message, the words of the query marked. */
export interface SearchFocus {
  messageId: string;
  query: string;
}

/** The search starts once a word has this many letters (replica.MinSearchRunes). */
const minLetters = 3;

/** While the search index is being built, the results are read again this often: older messages keep arriving in it. */
const indexingPollMs = 2000;

function searchable(query: string): boolean {
  return (query.match(/[\p{L}\p{N}]+/gu) ?? []).some((w) => [...w].length >= minLetters);
}

/** Client and message search over the replica; picking a hit opens its dialog. */
export function SearchBox({ onOpen }: { onOpen: (dialogId: string, focus?: SearchFocus) => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [clients, setClients] = useState<ClientHit[]>([]);
  const [indexing, setIndexing] = useState<SearchIndexing | null>(null);
  const [poll, setPoll] = useState(0);
  const ready = searchable(query);

  useEffect(() => {
    if (!ready) {
      setHits(null);
      setClients([]);
      setIndexing(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      // The note is a courtesy: the hits show without it.
      Promise.all([search.clients(query), search.messages(query), search.indexing().catch(() => null)])
        .then(([c, h, ix]) => {
          if (!live) return;
          setClients(c);
          setHits(h);
          setIndexing(ix?.building ? ix : null);
        })
        .catch(() => live && setHits([]));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, ready, poll]);

  // While the index is being built, search again now and then: the note's
  // figure moves, more hits come, and the note goes once it is whole.
  useEffect(() => {
    if (!ready || !indexing) return;
    const timer = setTimeout(() => setPoll((n) => n + 1), indexingPollMs);
    return () => clearTimeout(timer);
  }, [ready, indexing]);

  const open = (dialogId: string, focus?: SearchFocus) => {
    onOpen(dialogId, focus);
    setQuery("");
  };

  return (
    <div className="search">
      <input type="search" placeholder={t("search.placeholder")} value={query} onChange={(e) => setQuery(e.target.value)} data-testid="search-input" />
      {query.trim() !== "" && !ready && (
        <div className="search-results" data-testid="search-results">
          <p className="muted">{t("search.tooShort")}</p>
        </div>
      )}
      {ready && hits && (
        <div className="search-results" data-testid="search-results">
          {indexing && (
            <p className="muted" data-testid="search-indexing">
              {t("search.indexing", { percent: indexing.total > 0 ? Math.floor((indexing.done * 100) / indexing.total) : 0 })}
            </p>
          )}
          {hits.length === 0 && clients.length === 0 && <p className="muted">{t("search.none")}</p>}
          {clients.length > 0 && <h4>{t("search.clients")}</h4>}
          {clients.map((c) => (
            <button type="button" key={c.clientId} className="search-hit" onClick={() => open(c.dialogId)} data-testid="search-client">
              <span className="client-name">
                <Highlighted parts={c.nameParts} />
              </span>
              {c.contact && (
                <span className="search-contact">
                  <Highlighted parts={c.contactParts} />
                </span>
              )}
            </button>
          ))}
          {hits.length > 0 && <h4>{t("search.messages")}</h4>}
          {hits.map((h) => (
            <button
              type="button"
              key={h.messageId}
              className="search-hit"
              onClick={() => open(h.dialogId, { messageId: h.messageId, query })}
              data-testid="search-message"
              data-message-id={h.messageId}
            >
              <span className="client-name">{h.clientName}</span>
              <span className="dialog-time">{formatListTime(h.at)}</span>
              <span className="last-text">
                <Highlighted parts={h.parts} />
              </span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
