import { useEffect, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { conversation, inbox } from "../api/wails";
import type { ApiError, TagView } from "../api/types";
import { TagChip } from "../components/TagChip";

interface Props {
  /** What the picker is for, read by screen readers and shown as its heading. */
  label: string;
  /** Tags to leave out (the dialog carries them already). */
  exclude?: string[];
  onPick: (tag: TagView) => Promise<void>;
  onClose: () => void;
  onError: (e: ApiError) => void;
}

/** How tag names compare, as the server does: case and runs of spaces do not count. */
const key = (s: string) => s.trim().replace(/\s+/g, " ").toLocaleLowerCase();

/**
 * Picks a tag from the team's list, or makes a new one on the spot (as the
 * seeds describe): typing a name the list lacks offers to create it, and
 * the new tag joins everyone's list.
 */
export function TagPicker({ label, exclude = [], onPick, onClose, onError }: Props) {
  const { t } = useTranslation();
  const [tags, setTags] = useState<TagView[]>([]);
  const [query, setQuery] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    inbox.tags().then(setTags).catch(onError);
  }, [onError]);

  const q = key(query);
  const shown = tags.filter((tg) => !exclude.includes(tg.id) && key(tg.name).includes(q));
  const exact = tags.find((tg) => key(tg.name) === q);
  const canCreate = q !== "" && !exact;

  async function pick(get: () => Promise<TagView>) {
    setBusy(true);
    try {
      await onPick(await get());
      onClose();
    } catch (err) {
      onError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }
  const create = () => pick(() => conversation.createTag(query));

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "Escape") onClose();
    if (e.key !== "Enter" || busy) return;
    e.preventDefault();
    if (exact && !exclude.includes(exact.id)) void pick(async () => exact);
    else if (canCreate) void create();
  }

  return (
    <div className="tag-picker" role="dialog" aria-label={label} data-testid="tag-picker">
      <strong>{label}</strong>
      <input
        autoFocus
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKey}
        placeholder={t("tags.search")}
        maxLength={40}
        data-testid="tag-query"
      />
      <ul>
        {shown.map((tg) => (
          <li key={tg.id}>
            <button type="button" disabled={busy} onClick={() => void pick(async () => tg)} data-testid="tag-option">
              <TagChip tag={tg} />
            </button>
          </li>
        ))}
      </ul>
      {shown.length === 0 && !canCreate && <p className="hint">{tags.length === 0 ? t("tags.none") : t("tags.noMatch")}</p>}
      <div className="composer-actions">
        <button type="button" onClick={onClose}>
          {t("conversation.cancel")}
        </button>
        {canCreate && (
          <button type="button" disabled={busy} onClick={() => void create()} data-testid="tag-create">
            {t("tags.create", { name: query.trim().replace(/\s+/g, " ") })}
          </button>
        )}
      </div>
    </div>
  );
}
