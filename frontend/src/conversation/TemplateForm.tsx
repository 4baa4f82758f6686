import { useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { templates } from "../api/wails";
import type { ApiError } from "../api/types";
import { errorText } from "../i18n";

/** The template being written: a new one has the id "". */
export interface TemplateDraft {
  id: string;
  title: string;
  text: string;
  global: boolean;
}

interface Props {
  draft: TemplateDraft;
  /** Whether the operator may write the team's templates (offers the choice for a new one). */
  canManageGlobal: boolean;
  variables: string[];
  onSaved: () => void;
  onCancel: () => void;
}

/**
 * Creates or edits a quick reply inside the template picker: a title (the
 * topic the picker filters by), the text with buttons that insert the
 * variables, and, for those who may, whether the whole team gets it. A
 * refusal stays in the form, in the operator's words, nothing lost.
 */
export function TemplateForm({ draft, canManageGlobal, variables, onSaved, onCancel }: Props) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(draft.title);
  const [text, setText] = useState(draft.text);
  const [global, setGlobal] = useState(draft.global);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  function insertVariable(name: string) {
    const el = area.current;
    const at = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? at;
    const token = `{${name}}`;
    setText(text.slice(0, at) + token + text.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  }

  async function save() {
    setBusy(true);
    setError("");
    try {
      await templates.save(draft.id, title, text, global);
      onSaved();
    } catch (err) {
      setError(errorText(err as ApiError));
    } finally {
      setBusy(false);
    }
  }

  function onKey(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void save();
    }
  }

  return (
    <div
      className="template-form"
      role="dialog"
      aria-label={t(draft.id ? "templates.editHeading" : "templates.newHeading")}
      onKeyDown={onKey}
      data-testid="template-form"
    >
      <strong>{t(draft.id ? "templates.editHeading" : "templates.newHeading")}</strong>
      <label>
        {t("templates.title")}
        <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={100} autoFocus data-testid="template-title" />
      </label>
      <label>
        {t("templates.text")}
        <textarea ref={area} value={text} onChange={(e) => setText(e.target.value)} rows={4} data-testid="template-text" />
      </label>
      <div className="template-vars">
        <span className="hint">{t("templates.variables")}</span>
        {variables.map((v) => (
          <button key={v} type="button" onClick={() => insertVariable(v)} title={t(`templates.var.${v.replace(".", "_")}`)} data-testid={`template-var-${v}`}>
            {`{${v}}`}
          </button>
        ))}
      </div>
      {canManageGlobal && !draft.id && (
        <label className="template-global">
          <input type="checkbox" checked={global} onChange={(e) => setGlobal(e.target.checked)} data-testid="template-global" />
          {t("templates.forTeam")}
        </label>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="template-error">
          {error}
        </p>
      )}
      <div className="template-form-actions">
        <button type="button" onClick={onCancel}>
          {t("conversation.cancel")}
        </button>
        <button type="button" disabled={busy} onClick={() => void save()} data-testid="template-save">
          {t("templates.save")}
        </button>
      </div>
    </div>
  );
}
