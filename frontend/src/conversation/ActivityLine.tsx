import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { onEvent, team } from "../api/wails";
import type { DialogActivity } from "../api/types";

/** Who else types in or views the dialog, kept live from dialog:activity events. */
function useDialogActivity(dialogId: string): DialogActivity | null {
  const [activity, setActivity] = useState<DialogActivity | null>(null);
  useEffect(() => {
    let live = true;
    setActivity(null);
    team
      .activity(dialogId)
      .then((a) => live && setActivity(a))
      .catch(() => undefined);
    const off = onEvent("dialog:activity", (a) => {
      if (a.dialogId === dialogId) setActivity(a);
    });
    return () => {
      live = false;
      off();
    };
  }, [dialogId]);
  return activity;
}

/**
 * The line above the composer, as the seeds word it: "You are typing…",
 * "You, Olena are typing…", "Olena is typing…", and who else is viewing;
 * first of all "The customer is typing…" where the channel tells. Names
 * are text nodes.
 */
export function ActivityLine({ dialogId, selfTyping }: { dialogId: string; selfTyping: boolean }) {
  const { t } = useTranslation();
  const activity = useDialogActivity(dialogId);
  const typing = activity?.typing.map((c) => c.name) ?? [];
  const typingIds = new Set(activity?.typing.map((c) => c.id) ?? []);
  const viewing = activity?.viewing.filter((c) => !typingIds.has(c.id)).map((c) => c.name) ?? [];
  const names = typing.join(", ");
  let typingText = "";
  if (selfTyping && typing.length > 0) typingText = t("team.youAndOthersTyping", { names });
  else if (selfTyping) typingText = t("team.youTyping");
  else if (typing.length === 1) typingText = t("team.oneTyping", { names });
  else if (typing.length > 1) typingText = t("team.manyTyping", { names });
  const clientTyping = activity?.clientTyping ?? false;
  if (!typingText && viewing.length === 0 && !clientTyping) return <div className="activity-line empty" data-testid="activity-line" />;
  return (
    <div className="activity-line" data-testid="activity-line" aria-live="polite">
      {clientTyping && (
        <span className="typing client" data-testid="activity-client-typing">
          {t("team.clientTyping")}
        </span>
      )}
      {typingText && (
        <span className={typing.length > 0 ? "typing others" : "typing"} data-testid="activity-typing">
          {typingText}
        </span>
      )}
      {viewing.length > 0 && (
        <span className="viewing" data-testid="activity-viewing">
          {t("team.viewing", { names: viewing.join(", ") })}
        </span>
      )}
    </div>
  );
}
