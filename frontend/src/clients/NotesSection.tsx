import { useState } from "react";
import { useTranslation } from "react-i18next";
import { clients } from "../api/wails";
import type { ApiError, ClientView } from "../api/types";
import { formatDay } from "../components/format";
import { errorText } from "../i18n";
import { Section } from "./Section";

/** The team's notes on the client; the client never sees them. */
export function NotesSection({ client }: { client: ClientView }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [error, setError] = useState("");

  async function add(e: React.FormEvent) {
    e.preventDefault();
    try {
      await clients.addNote(client.id, text);
      setText("");
    } catch (err) {
      setError(errorText(err as ApiError));
    }
  }

  return (
    <Section id="notes" title={t("client.notes")}>
      {client.notes.length === 0 ? (
        <p className="muted">{t("client.noNotes")}</p>
      ) : (
        <ul className="notes">
          {client.notes.map((n, i) => (
            <li key={i} data-testid="client-note">
              <div className="note-text">{n.text}</div>
              <div className="muted">
                {n.authorName} · {formatDay(n.at)}
              </div>
            </li>
          ))}
        </ul>
      )}
      <form className="note-form" onSubmit={(e) => void add(e)}>
        <textarea
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError("");
          }}
          rows={2}
          placeholder={t("client.notePlaceholder")}
          aria-label={t("client.notePlaceholder")}
          data-testid="note-text"
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={!text.trim()} data-testid="note-add">
          {t("client.addNote")}
        </button>
      </form>
    </Section>
  );
}
