import { useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation } from "../api/wails";
import type { ApiError, TagView } from "../api/types";
import { TagChip } from "../components/TagChip";
import { TagPicker } from "./TagPicker";

interface Props {
  dialogId: string;
  tags: TagView[];
  onError: (e: ApiError) => void;
}

/** The dialog's tags in its header: each can come off; "+ Tag" puts one on (or makes it). */
export function DialogTags({ dialogId, tags, onError }: Props) {
  const { t } = useTranslation();
  const [picking, setPicking] = useState(false);
  return (
    <div className="dialog-tags" data-testid="dialog-tags">
      {tags.map((tg) => (
        <TagChip
          key={tg.id}
          tag={tg}
          removeLabel={t("tags.remove", { name: tg.name })}
          onRemove={() => conversation.untagDialog(dialogId, tg.id).catch(onError)}
        />
      ))}
      <span className="tag-anchor">
        <button type="button" className="tag-add" onClick={() => setPicking((v) => !v)} data-testid="tag-dialog">
          + {t("tags.add")}
        </button>
        {picking && (
          <TagPicker
            label={t("tags.addToDialog")}
            exclude={tags.map((tg) => tg.id)}
            onPick={(tg) => conversation.tagDialog(dialogId, tg.id)}
            onClose={() => setPicking(false)}
            onError={onError}
          />
        )}
      </span>
    </div>
  );
}
