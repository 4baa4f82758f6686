import { useState } from "react";
import { useTranslation } from "react-i18next";
import { outgoing } from "../api/wails";
import type { ApiError, ChannelChoice, PhoneCheck } from "../api/types";
import { errorText } from "../i18n";

interface Props {
  channels: ChannelChoice[];
  onOpen: (dialogId: string) => void;
  onCancel: () => void;
  onError: (e: ApiError) => void;
}

/**
 * An outgoing message by phone number, as the seeds describe it: enter the
 * number, ask the channel whether it can be written to there, then name the
 * client, write and send; the dialog lands in the operator's Mine.
 */
export function PhoneDialogForm({ channels, onOpen, onCancel, onError }: Props) {
  const { t } = useTranslation();
  const [channelId, setChannelId] = useState(channels[0]?.id ?? "");
  const [phone, setPhone] = useState("");
  const [check, setCheck] = useState<PhoneCheck | null>(null);
  const [problem, setProblem] = useState("");
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);

  // A changed number or channel needs a new check.
  const changed = () => {
    setCheck(null);
    setProblem("");
  };

  async function runCheck() {
    setBusy(true);
    try {
      const c = await outgoing.checkPhone(channelId, phone);
      setCheck(c);
      if (c.clientName) setName(c.clientName);
    } catch (e) {
      setProblem(errorText(e as ApiError));
    } finally {
      setBusy(false);
    }
  }

  async function send() {
    if (!check) return;
    setBusy(true);
    try {
      onOpen(await outgoing.startByPhone(channelId, check.chatId, phone, name, text));
    } catch (e) {
      onError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="popover-panel phone-dialog" role="dialog" aria-label={t("outgoing.phoneHeading")} data-testid="phone-dialog">
      <strong>{t("outgoing.phoneHeading")}</strong>
      <label>
        {t("outgoing.channel")}
        <select value={channelId} onChange={(e) => {
            setChannelId(e.target.value);
            changed();
          }} data-testid="phone-dialog-channel">
          {channels.map((c) => (
            <option key={c.id} value={c.id}>
              {t("outgoing.channelOption", { name: c.name, line: c.lineName })}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("outgoing.phone")}
        <input type="tel" value={phone} onChange={(e) => {
            setPhone(e.target.value);
            changed();
          }} placeholder="+380 50 123 45 67" data-testid="phone-dialog-phone" />
      </label>
      {!check && (
        <button type="button" disabled={busy || !phone.trim()} onClick={() => void runCheck()} data-testid="phone-dialog-check">
          {t("outgoing.check")}
        </button>
      )}
      {problem && (
        <p className="error" role="alert" data-testid="phone-dialog-problem">
          {problem}
        </p>
      )}
      {check && !check.reachable && (
        <p className="error" role="alert" data-testid="phone-dialog-unreachable">
          {t("outgoing.unreachable")}
        </p>
      )}
      {check?.reachable && (
        <>
          <p className="muted" data-testid="phone-dialog-reachable">
            {check.clientName ? t("outgoing.knownClient", { name: check.clientName }) : t("outgoing.reachable")}
          </p>
          {!check.clientId && (
            <label>
              {t("outgoing.clientName")}
              <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="phone-dialog-name" />
            </label>
          )}
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} placeholder={t("outgoing.placeholder")} data-testid="phone-dialog-text" />
        </>
      )}
      <div className="composer-actions">
        <button type="button" onClick={onCancel}>
          {t("conversation.cancel")}
        </button>
        {check?.reachable && (
          <button type="button" disabled={busy || !text.trim()} onClick={() => void send()} data-testid="phone-dialog-send">
            {t("outgoing.send")}
          </button>
        )}
      </div>
    </div>
  );
}
