import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { clients, conversation } from "../api/wails";
import type { ApiError, ClientView, DialogView } from "../api/types";
import { ConfirmAction } from "../components/ConfirmAction";
import { formatDay, formatClock } from "../components/format";
import { StartDialogForm } from "../outgoing/StartDialogForm";
import { SnoozeMenu } from "./SnoozeMenu";

interface Props {
  dialog: DialogView;
  /** Bumped when the dialog changed. */
  version: number;
  channelId?: string;
  onOpen: (dialogId: string) => void;
  onError: (e: ApiError) => void;
}

/**
 * The dialog's lifecycle actions beside Take and Close: snooze and wake,
 * force-close as spam, send the client to the blacklist or let it back,
 * and write first again once the dialog is closed.
 */
export function DialogActions({ dialog, version, channelId, onOpen, onError }: Props) {
  const { t } = useTranslation();
  const row = dialog.row;
  const [client, setClient] = useState<ClientView | null>(null);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    let live = true;
    clients
      .card(dialog.clientId, row.id)
      .then((c) => live && setClient(c))
      .catch(() => live && setClient(null));
    return () => {
      live = false;
    };
  }, [dialog.clientId, row.id, version]);

  const act = (p: Promise<void>) => p.catch(onError);
  const open = row.status === "in_progress" || row.status === "snoozed" || row.status === "unassigned";
  const until = row.snoozedUntil ? `${formatDay(row.snoozedUntil)} ${formatClock(row.snoozedUntil)}` : "";
  return (
    <>
      {row.status === "snoozed" && (
        <span className="muted" data-testid="snoozed-until">
          {until ? t("snooze.snoozedUntil", { time: until }) : t("snooze.snoozedForever")}
        </span>
      )}
      {dialog.mayHandle && open && row.status !== "unassigned" && !row.blacklisted && (
        <SnoozeMenu onSnooze={(until) => act(conversation.snooze(row.id, until))} />
      )}
      {dialog.mayHandle && row.status === "snoozed" && (
        <button type="button" onClick={() => act(conversation.wake(row.id))} data-testid="action-wake">
          {t("snooze.wake")}
        </button>
      )}
      {dialog.mayHandle && row.status !== "spam" && (
        <ConfirmAction
          label={t("spam.button")}
          question={t("spam.question")}
          confirmLabel={t("spam.confirm")}
          onConfirm={() => act(conversation.markSpam(row.id))}
          testId="action-spam"
          danger
        />
      )}
      {client?.canBlacklist && (
        <ConfirmAction
          label={t("blacklist.button")}
          question={t("blacklist.question", { name: client.name })}
          confirmLabel={t("blacklist.confirm")}
          onConfirm={() => act(conversation.blacklist(row.id, true))}
          testId="action-blacklist"
          danger
        />
      )}
      {client?.canUnblock && (
        <button type="button" onClick={() => act(conversation.blacklist(row.id, false))} data-testid="action-unblock">
          {t("blacklist.unblock")}
        </button>
      )}
      {!open && !row.blacklisted && (
        <span className="popover-anchor">
          <button type="button" onClick={() => setStarting((s) => !s)} data-testid="action-start-dialog">
            {t("outgoing.button")}
          </button>
          {starting && (
            <StartDialogForm
              clientId={dialog.clientId}
              channelId={channelId}
              onOpen={(id) => {
                setStarting(false);
                onOpen(id);
              }}
              onCancel={() => setStarting(false)}
              onError={onError}
            />
          )}
        </span>
      )}
    </>
  );
}
