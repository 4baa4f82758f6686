import { useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation } from "../api/wails";
import type { ApiError, ClientView } from "../api/types";
import { StartDialogForm } from "../outgoing/StartDialogForm";

interface Props {
  dialogId: string;
  client: ClientView;
  onOpen: (dialogId: string) => void;
  onError: (e: ApiError) => void;
}

/** The client card's actions: pinning the client to an operator and writing first. */
export function ClientActions({ dialogId, client, onOpen, onError }: Props) {
  const { t } = useTranslation();
  const [starting, setStarting] = useState(false);
  const act = (p: Promise<void>) => p.catch(onError);
  return (
    <div className="client-actions">
      {client.pin === "pin" && (
        <button type="button" onClick={() => act(conversation.pin(dialogId, true))} data-testid="client-pin">
          {t("pin.pin", { name: client.pinName })}
        </button>
      )}
      {client.pin === "unpin" && (
        <button type="button" onClick={() => act(conversation.pin(dialogId, false))} data-testid="client-pin">
          {t("pin.unpin", { name: client.pinName })}
        </button>
      )}
      {client.pin === "unpin_other" && (
        <button type="button" onClick={() => act(conversation.pin(dialogId, false))} data-testid="client-pin">
          {t("pin.unpinOther", { name: client.pinName })}
        </button>
      )}
      {client.pin === "pinned" && (
        <span className="pinned" data-testid="client-pin">
          {t("pin.pinned", { name: client.pinName })}
        </span>
      )}
      {!client.blacklisted && (
        <span className="popover-anchor">
          <button type="button" onClick={() => setStarting((s) => !s)} data-testid="client-start-dialog">
            {t("outgoing.button")}
          </button>
          {starting && (
            <StartDialogForm
              clientId={client.id}
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
    </div>
  );
}
