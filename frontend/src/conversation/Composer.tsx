import { useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { conversation } from "../api/wails";
import type { ApiError } from "../api/types";

type Kind = "outbound" | "comment" | "note";

export function Composer({ dialogId, onError }: { dialogId: string; onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [kind, setKind] = useState<Kind>("outbound");

  async function send() {
    if (!text.trim()) return;
    try {
      await conversation.send(dialogId, kind, text);
      setText("");
    } catch (err) {
      onError(err as ApiError);
    }
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    }
  }

  return (
    <div className={`composer composer-${kind}`}>
      <div className="composer-kinds" role="radiogroup">
        {(["outbound", "comment", "note"] as Kind[]).map((k) => (
          <button key={k} type="button" role="radio" aria-checked={kind === k} className={kind === k ? "active" : ""} onClick={() => setKind(k)}>
            {t(k === "outbound" ? "conversation.kindOutbound" : k === "comment" ? "conversation.kindComment" : "conversation.kindNote")}
          </button>
        ))}
      </div>
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        placeholder={t("conversation.placeholder")}
        data-testid="composer-text"
        rows={3}
      />
      <div className="composer-actions">
        <span className="hint">{t("conversation.sendHint")}</span>
        <button type="button" onClick={() => void send()} data-testid="composer-send">
          {t("conversation.send")}
        </button>
      </div>
    </div>
  );
}
