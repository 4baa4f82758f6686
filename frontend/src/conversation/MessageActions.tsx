import { useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import i18n from "../i18n";
import { conversation } from "../api/wails";
import type { ApiError, ChangeRule, MessageView } from "../api/types";
import { formatClock, formatDay } from "../components/format";

/** A channel's window in words: "48 hours", "30 minutes", in the UI's language. */
function formatWindow(seconds: number): string {
  const [value, unit] = seconds % 3600 === 0 ? [seconds / 3600, "hour"] : [Math.ceil(seconds / 60), "minute"];
  return new Intl.NumberFormat(i18n.language, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

/** Whether a change is allowed at this moment (a window may have closed since the history was read). */
function allowedNow(r: ChangeRule): boolean {
  return r.allowed && (r.until === 0 || Date.now() <= r.until);
}

/** Why a change is not allowed, or until when it is: the action's tooltip. */
function ruleTitle(r: ChangeRule, what: "edit" | "delete"): string {
  const t = i18n.t.bind(i18n);
  if (allowedNow(r)) {
    if (r.until === 0) return t(`conversation.${what}`);
    const until = new Date(r.until).toDateString() === new Date().toDateString() ? formatClock(r.until) : `${formatDay(r.until)} ${formatClock(r.until)}`;
    return t(`conversation.${what}Until`, { time: until });
  }
  const reason = r.allowed || r.reason.endsWith("_window") ? "window" : r.reason.endsWith("_unsupported") ? "unsupported" : "other";
  if (reason === "window") return t(`conversation.${what}Window`, { window: formatWindow(r.window) });
  if (reason === "unsupported") return t(`conversation.${what}Unsupported`);
  return t(`errors.${r.reason.replace(/\./g, "_")}`, { defaultValue: t("errors.internal") });
}

interface Props {
  m: MessageView;
  onReply: () => void;
  onError: (e: ApiError) => void;
  /** Called with the new text while the message is being edited in place, null when done. */
  onEditing: (text: string | null) => void;
  editing: string | null;
}

/**
 * A message's actions: reply to any message; edit and delete one's own,
 * shown disabled with the reason where the channel does not allow it or
 * its window has closed.
 */
export function MessageActions({ m, onReply, onError, onEditing, editing }: Props) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  if (m.deleted || m.kind === "system") return null;
  const mine = m.edit.reason !== "message.not_author";

  if (editing !== null) {
    const save = () => {
      const text = editing;
      if (!text.trim()) return;
      conversation
        .editMessage(m.id, text)
        .then(() => onEditing(null))
        .catch(onError);
    };
    const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
      if (e.key === "Escape") {
        e.preventDefault();
        onEditing(null);
      } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        save();
      }
    };
    return (
      <div className="message-editor">
        <textarea
          value={editing}
          autoFocus
          rows={3}
          onChange={(e) => onEditing(e.target.value)}
          onKeyDown={onKey}
          aria-label={t("conversation.edit")}
          data-testid="message-edit-text"
        />
        <div className="message-editor-actions">
          <button type="button" onClick={() => onEditing(null)}>
            {t("conversation.cancel")}
          </button>
          <button type="button" className="primary" onClick={save} disabled={!editing.trim()} data-testid="message-edit-save">
            {t("conversation.save")}
          </button>
        </div>
      </div>
    );
  }

  if (confirming) {
    return (
      <div className="message-confirm" role="alertdialog" data-testid="message-delete-ask">
        <span>{m.kind === "outbound" ? t("conversation.deleteAskCustomer") : t("conversation.deleteAsk")}</span>
        <button type="button" onClick={() => setConfirming(false)}>
          {t("conversation.cancel")}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            setConfirming(false);
            conversation.deleteMessage(m.id).catch(onError);
          }}
          data-testid="message-delete-confirm"
        >
          {t("conversation.delete")}
        </button>
      </div>
    );
  }

  return (
    <div className="message-actions">
      <button type="button" className="link" onClick={onReply} data-testid="message-reply">
        {t("conversation.reply")}
      </button>
      {mine && (
        <>
          <button
            type="button"
            className="link"
            disabled={!allowedNow(m.edit)}
            title={ruleTitle(m.edit, "edit")}
            onClick={() => onEditing(m.text)}
            data-testid="message-edit"
          >
            {t("conversation.edit")}
          </button>
          <button
            type="button"
            className="link"
            disabled={!allowedNow(m.delete)}
            title={ruleTitle(m.delete, "delete")}
            onClick={() => setConfirming(true)}
            data-testid="message-delete"
          >
            {t("conversation.delete")}
          </button>
        </>
      )}
    </div>
  );
}
