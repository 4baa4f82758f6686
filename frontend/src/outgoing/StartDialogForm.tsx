import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { outgoing } from "../api/wails";
import type { ApiError, ChannelChoice } from "../api/types";

interface Props {
  clientId: string;
  /** The channel to offer first (the dialog's own). */
  channelId?: string;
  /** Called with the new dialog (or the open one to write in instead). */
  onOpen: (dialogId: string) => void;
  onCancel: () => void;
  onError: (e: ApiError) => void;
}

/** Writing first to a known client: pick one of its channels, write, send. */
export function StartDialogForm({ clientId, channelId, onOpen, onCancel, onError }: Props) {
  const { t } = useTranslation();
  const [channels, setChannels] = useState<ChannelChoice[] | null>(null);
  const [picked, setPicked] = useState("");
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    outgoing
      .clientChannels(clientId)
      .then((cs) => {
        if (!live) return;
        setChannels(cs);
        setPicked(cs.find((c) => c.id === channelId)?.id ?? cs[0]?.id ?? "");
      })
      .catch((e) => live && onError(e));
    return () => {
      live = false;
    };
  }, [clientId, channelId, onError]);

  async function send() {
    setBusy(true);
    try {
      onOpen(await outgoing.start(clientId, picked, text));
    } catch (e) {
      onError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const choice = channels?.find((c) => c.id === picked);
  return (
    <div className="popover-panel start-dialog" role="dialog" aria-label={t("outgoing.heading")} data-testid="start-dialog">
      <strong>{t("outgoing.heading")}</strong>
      {channels && channels.length === 0 && <p className="muted">{t("outgoing.noChannels")}</p>}
      {channels && channels.length > 0 && (
        <label>
          {t("outgoing.channel")}
          <select value={picked} onChange={(e) => setPicked(e.target.value)} data-testid="start-dialog-channel">
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {t("outgoing.channelOption", { name: c.name, line: c.lineName })}
              </option>
            ))}
          </select>
        </label>
      )}
      {choice?.openDialogId ? (
        <p>
          {t("outgoing.alreadyOpen")}{" "}
          <button type="button" className="link" onClick={() => onOpen(choice.openDialogId)} data-testid="start-dialog-open-existing">
            {t("outgoing.openExisting")}
          </button>
        </p>
      ) : (
        choice && (
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={3}
            placeholder={t("outgoing.placeholder")}
            data-testid="start-dialog-text"
          />
        )
      )}
      <div className="composer-actions">
        <button type="button" onClick={onCancel}>
          {t("conversation.cancel")}
        </button>
        {choice && !choice.openDialogId && (
          <button type="button" disabled={busy || !text.trim()} onClick={() => void send()} data-testid="start-dialog-send">
            {t("outgoing.send")}
          </button>
        )}
      </div>
    </div>
  );
}
