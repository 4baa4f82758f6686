import { useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation } from "../api/wails";
import type { ApiError } from "../api/types";
import { formatNumber } from "../components/format";
import { TagPicker } from "./TagPicker";

interface Props {
  dialogId: string;
  /** The messages selected in the conversation, by id. */
  selected: string[];
  onClear: () => void;
  onError: (e: ApiError) => void;
}

/**
 * What to do with the messages selected in the conversation: tag them, as
 * the seeds describe ("select the messages, then Add tag"). A message's
 * tags stay for good.
 */
export function SelectionBar({ dialogId, selected, onClear, onError }: Props) {
  const { t } = useTranslation();
  const [picking, setPicking] = useState(false);
  if (selected.length === 0) return null;
  return (
    <div className="selection-bar" data-testid="selection-bar">
      <span>{t("tags.selected", { n: formatNumber(selected.length) })}</span>
      <span className="tag-anchor">
        <button type="button" onClick={() => setPicking((v) => !v)} data-testid="tag-messages">
          {t("tags.tagMessages")}
        </button>
        {picking && (
          <TagPicker
            label={t("tags.tagMessagesHeading")}
            onPick={async (tg) => {
              await conversation.tagMessages(dialogId, selected, tg.id);
              onClear();
            }}
            onClose={() => setPicking(false)}
            onError={onError}
          />
        )}
      </span>
      <button type="button" onClick={onClear} data-testid="selection-clear">
        {t("tags.clearSelection")}
      </button>
    </div>
  );
}
