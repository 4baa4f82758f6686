import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { onEvent, templates } from "../api/wails";
import type { ApiError, TemplateList, TemplateView } from "../api/types";
import { TemplateForm, type TemplateDraft } from "./TemplateForm";

interface Props {
  dialogId: string;
  /** What follows the "/" or "\" the composer starts with. */
  query: string;
  /** Inserts a template's text, its variables filled for the dialog. */
  onPick: (text: string) => void;
  onClose: () => void;
  /** The create/edit form closed: the text box takes the keys again. */
  onFormDone: () => void;
  onError: (e: ApiError) => void;
}

/** What the composer's text box hands over: the keys the picker answers. */
export interface TemplatePickerHandle {
  /** Handles Up, Down, Enter, Tab and Esc while the picker is open; true when it did. */
  onKey: (e: KeyboardEvent) => boolean;
}

const empty: TemplateList = { items: [], canManageGlobal: false, variables: [] };

/**
 * The quick-reply picker: "/" or "\" at the start of the composer opens
 * it, what follows filters the team's and the operator's own templates by
 * title and text (as search does: case and ё/е folded), Up/Down choose,
 * Enter inserts, Esc closes. Templates are created, edited and deleted
 * here too. Every title and text is rendered as text.
 */
export const TemplatePicker = forwardRef<TemplatePickerHandle, Props>(function TemplatePicker(
  { dialogId, query, onPick, onClose, onFormDone, onError },
  ref,
) {
  const { t } = useTranslation();
  const [list, setList] = useState<TemplateList>(empty);
  const [index, setIndex] = useState(0);
  const [draft, setDraft] = useState<TemplateDraft | null>(null);
  const [confirming, setConfirming] = useState("");
  const asked = useRef(0);
  const active = useRef<HTMLLIElement | null>(null);

  const load = useCallback(() => {
    // Only the newest question's answer is shown: typing fast must not
    // let an older, slower answer overwrite a newer one.
    const n = ++asked.current;
    templates
      .list(dialogId, query)
      .then((l) => {
        if (n !== asked.current) return;
        setList(l);
        setIndex((i) => Math.min(i, Math.max(l.items.length - 1, 0)));
      })
      .catch((e) => n === asked.current && onError(e as ApiError));
  }, [dialogId, query, onError]);

  useEffect(() => {
    setIndex(0);
    load();
  }, [load]);

  useEffect(() => {
    const offChanged = onEvent("templates:changed", load);
    const offRejected = onEvent("command:rejected", load);
    return () => {
      offChanged();
      offRejected();
    };
  }, [load]);

  useEffect(() => {
    active.current?.scrollIntoView({ block: "nearest" });
  }, [index]);

  const items = list.items;

  useImperativeHandle(
    ref,
    () => ({
      onKey(e: KeyboardEvent) {
        if (draft) return false;
        if (e.key === "Escape") {
          e.preventDefault();
          onClose();
          return true;
        }
        if (items.length === 0) return false;
        if (e.key === "ArrowDown" || e.key === "ArrowUp") {
          e.preventDefault();
          const d = e.key === "ArrowDown" ? 1 : -1;
          setIndex((i) => (i + d + items.length) % items.length);
          return true;
        }
        if ((e.key === "Enter" || e.key === "Tab") && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
          e.preventDefault();
          onPick(items[Math.min(index, items.length - 1)].filled);
          return true;
        }
        return false;
      },
    }),
    [draft, items, index, onClose, onPick],
  );

  async function remove(tp: TemplateView) {
    setConfirming("");
    try {
      await templates.remove(tp.id);
      load();
    } catch (err) {
      onError(err as ApiError);
    }
  }

  if (draft) {
    return (
      <div className="template-picker" data-testid="template-picker">
        <TemplateForm
          draft={draft}
          canManageGlobal={list.canManageGlobal}
          variables={list.variables}
          onSaved={() => {
            setDraft(null);
            load();
            onFormDone();
          }}
          onCancel={() => {
            setDraft(null);
            onFormDone();
          }}
        />
      </div>
    );
  }

  return (
    <div className="template-picker" data-testid="template-picker">
      <ul role="listbox" aria-label={t("templates.picker")}>
        {items.length === 0 ? (
          <li className="muted" data-testid="template-none">
            {t(query.trim() ? "templates.none" : "templates.noneYet")}
          </li>
        ) : (
          items.map((tp, i) => (
            <li
              key={tp.id}
              ref={i === index ? active : undefined}
              role="option"
              aria-selected={i === index}
              className={i === index ? "active" : ""}
              onMouseDown={(e) => {
                if ((e.target as HTMLElement).closest("button")) return;
                e.preventDefault();
                onPick(tp.filled);
              }}
              onMouseEnter={() => setIndex(i)}
              data-testid="template-option"
              data-template-id={tp.id}
            >
              <div className="template-head">
                <span className="template-title">{tp.title}</span>
                <span className={`template-badge ${tp.global ? "team" : "mine"}`}>{t(tp.global ? "templates.team" : "templates.personal")}</span>
                {tp.editable && (
                  <span className="template-actions">
                    <button
                      type="button"
                      onClick={() => setDraft({ id: tp.id, title: tp.title, text: tp.text, global: tp.global })}
                      data-testid="template-edit"
                    >
                      {t("templates.edit")}
                    </button>
                    {confirming === tp.id ? (
                      <button type="button" className="danger" onClick={() => void remove(tp)} data-testid="template-delete-confirm">
                        {t("templates.confirmDelete")}
                      </button>
                    ) : (
                      <button type="button" onClick={() => setConfirming(tp.id)} data-testid="template-delete">
                        {t("templates.delete")}
                      </button>
                    )}
                  </span>
                )}
              </div>
              <div className="template-preview" data-testid="template-preview">
                {tp.filled}
              </div>
            </li>
          ))
        )}
      </ul>
      <div className="template-footer">
        <span className="hint">{t("templates.keysHint")}</span>
        <button type="button" onClick={() => setDraft({ id: "", title: query.trim(), text: "", global: false })} data-testid="template-new">
          {t("templates.new")}
        </button>
      </div>
    </div>
  );
});
