import { useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation } from "../api/wails";
import type { ApiError } from "../api/types";
import { errorText } from "../i18n";

interface Props {
  dialogId: string;
  onDone: () => void;
}

/** The most parameters a template takes (inbox's limit). */
const maxParams = 50;

/**
 * Sends one of the channel's approved templates (WhatsApp: the only way to
 * write once 24 hours have passed since the customer last wrote): its name
 * and language as approved, and its parameters {{1}}, {{2}}... in order.
 * The app refuses a template no channel could send before queueing it; the
 * channel says whether it knows the template.
 */
export function ChannelTemplateForm({ dialogId, onDone }: Props) {
  const { t, i18n } = useTranslation();
  const [name, setName] = useState("");
  const [language, setLanguage] = useState(i18n.language);
  const [params, setParams] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const setParam = (i: number, v: string) => setParams((cur) => cur.map((p, j) => (j === i ? v : p)));

  async function submit() {
    setBusy(true);
    setError(null);
    try {
      await conversation.sendTemplate(dialogId, name, language, params);
      onDone();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="channel-template" role="dialog" aria-label={t("channelTemplate.heading")} data-testid="channel-template">
      <strong>{t("channelTemplate.heading")}</strong>
      <p className="hint">{t("channelTemplate.hint")}</p>
      <label>
        {t("channelTemplate.name")}
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="order_update" data-testid="channel-template-name" />
      </label>
      <label>
        {t("channelTemplate.language")}
        <input value={language} onChange={(e) => setLanguage(e.target.value)} size={8} data-testid="channel-template-language" />
      </label>
      <ol className="channel-template-params">
        {params.map((p, i) => (
          <li key={i}>
            <input
              value={p}
              onChange={(e) => setParam(i, e.target.value)}
              aria-label={t("channelTemplate.param", { n: i + 1 })}
              placeholder={`{{${i + 1}}}`}
              data-testid="channel-template-param"
            />
            <button
              type="button"
              className="link"
              onClick={() => setParams((cur) => cur.filter((_, j) => j !== i))}
              aria-label={t("channelTemplate.removeParam", { n: i + 1 })}
              title={t("channelTemplate.removeParam", { n: i + 1 })}
              data-testid="channel-template-param-remove"
            >
              ×
            </button>
          </li>
        ))}
      </ol>
      <button type="button" className="link" disabled={params.length >= maxParams} onClick={() => setParams((cur) => [...cur, ""])} data-testid="channel-template-param-add">
        {t("channelTemplate.addParam")}
      </button>
      {error && (
        <p className="file-error" role="alert" data-testid="channel-template-error">
          {errorText(error)}
        </p>
      )}
      <div className="composer-actions">
        <button type="button" onClick={onDone}>
          {t("conversation.cancel")}
        </button>
        <button type="button" disabled={busy || !name.trim() || !language.trim()} onClick={() => void submit()} data-testid="channel-template-send">
          {t("channelTemplate.send")}
        </button>
      </div>
    </div>
  );
}
