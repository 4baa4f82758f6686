import { useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation } from "../api/wails";
import type { ApiError, DialogView, MessageView, TimelineItem } from "../api/types";
import { errorText } from "../i18n";
import { formatClock } from "../components/format";

interface Props {
  dialog: DialogView;
  /** The conversation as loaded: the messages a selection is picked from. */
  items: TimelineItem[];
  onDone: () => void;
}

type Outcome = { kind: "sent"; to: string; count: number } | { kind: "saved"; path: string } | { kind: "error"; error: ApiError };

/**
 * Export the conversation — whole, or the messages picked here — by
 * e-mail (the team server sends it with the workspace's SMTP settings) or
 * as an HTML file saved where the operator chooses.
 */
export function ExportPanel({ dialog, items, onDone }: Props) {
  const { t, i18n } = useTranslation();
  const row = dialog.row;
  const [whole, setWhole] = useState(true);
  const [picked, setPicked] = useState<string[]>([]);
  const [to, setTo] = useState("");
  const [subject, setSubject] = useState(() => t("export.defaultSubject", { number: row.number, client: row.clientName }));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const messages = items.map((it) => it.message).filter((m): m is MessageView => !!m && m.kind !== "system");
  const ids = whole ? [] : picked;
  const nothingPicked = !whole && picked.length === 0;

  const toggle = (id: string) => setPicked((cur) => (cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id]));

  async function run(work: () => Promise<Outcome | null>) {
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome(await work());
    } catch (e) {
      setOutcome({ kind: "error", error: e as ApiError });
    } finally {
      setBusy(false);
    }
  }

  const send = () =>
    run(async () => {
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const r = await conversation.exportEmail(row.id, { to, subject, messageIds: ids, language: i18n.language, timeZone });
      return { kind: "sent", to: r.to, count: r.messages };
    });
  const save = () =>
    run(async () => {
      const path = await conversation.saveTranscript(row.id, ids, i18n.language);
      return path ? { kind: "saved", path } : null;
    });

  return (
    <div className="export-panel" role="dialog" aria-label={t("export.heading")} data-testid="export-panel">
      <strong>{t("export.heading")}</strong>
      <div className="export-scope">
        <label>
          <input type="radio" name="scope" checked={whole} onChange={() => setWhole(true)} data-testid="export-whole" />
          {t("export.whole")}
        </label>
        <label>
          <input type="radio" name="scope" checked={!whole} onChange={() => setWhole(false)} data-testid="export-selected" />
          {t("export.selected", { count: picked.length })}
        </label>
      </div>
      {!whole && (
        <ul className="export-messages" data-testid="export-messages">
          {messages.map((m) => (
            <li key={m.id}>
              <label>
                <input type="checkbox" checked={picked.includes(m.id)} onChange={() => toggle(m.id)} data-testid="export-pick" data-message-id={m.id} />
                <span className="muted">
                  {formatClock(m.at)} {m.authorName || row.clientName}:
                </span>{" "}
                {/* Text only: customer text never becomes markup. */}
                <span className="export-text">{m.text}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">{whole ? t("export.wholeHint") : t("export.selectedHint")}</p>
      <label className="field">
        <span className="field-label">{t("export.to")}</span>
        <input type="email" value={to} onChange={(e) => setTo(e.target.value)} placeholder="name@example.com" data-testid="export-to" />
      </label>
      <label className="field">
        <span className="field-label">{t("export.subject")}</span>
        <input value={subject} onChange={(e) => setSubject(e.target.value)} data-testid="export-subject" />
      </label>
      {outcome && (
        <p className={outcome.kind === "error" ? "form-error" : "form-saved"} role={outcome.kind === "error" ? "alert" : "status"} data-testid="export-outcome">
          {outcome.kind === "sent" && t("export.sent", { to: outcome.to, count: outcome.count })}
          {outcome.kind === "saved" && t("export.saved", { path: outcome.path })}
          {outcome.kind === "error" && errorText(outcome.error)}
        </p>
      )}
      <div className="composer-actions">
        <button type="button" onClick={onDone}>
          {t("conversation.cancel")}
        </button>
        <button type="button" disabled={busy || nothingPicked} onClick={() => void save()} data-testid="export-save">
          {t("export.saveHtml")}
        </button>
        <button type="button" disabled={busy || nothingPicked || !to.trim()} onClick={() => void send()} data-testid="export-send">
          {t("export.send")}
        </button>
      </div>
    </div>
  );
}
