import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { emoji, emojiGroups, searchEmoji, type Emoji } from "./emoji";

interface Props {
  onPick: (char: string) => void;
  onClose: () => void;
}

/** The composer's emoji picker: groups, or what the search finds in any UI language. */
export function EmojiPicker({ onPick, onClose }: Props) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const box = useRef<HTMLDivElement>(null);

  // A click anywhere else closes it.
  useEffect(() => {
    const away = (e: MouseEvent) => {
      const target = e.target as Element;
      // The composer's emoji button toggles the picker itself.
      if (box.current && !box.current.contains(target) && !target.closest?.(".emoji-button")) onClose();
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, [onClose]);

  const button = (e: Emoji) => (
    <button
      key={e.char}
      type="button"
      className="emoji-option"
      aria-label={e.names.split(" ")[0]}
      title={e.names.split(" ")[0]}
      // Keep the text box's caret: the pick goes where it was.
      onMouseDown={(ev) => ev.preventDefault()}
      onClick={() => onPick(e.char)}
      data-testid="emoji-option"
    >
      {e.char}
    </button>
  );

  const found = query.trim() ? searchEmoji(query) : null;
  return (
    <div className="emoji-picker" ref={box} role="dialog" aria-label={t("compose.emoji")} data-testid="emoji-picker">
      <input
        type="search"
        value={query}
        autoFocus
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onClose();
          } else if (e.key === "Enter" && found && found.length > 0) {
            e.preventDefault();
            onPick(found[0].char);
          }
        }}
        placeholder={t("compose.emojiSearch")}
        aria-label={t("compose.emojiSearch")}
        data-testid="emoji-search"
      />
      <div className="emoji-groups">
        {found ? (
          found.length === 0 ? (
            <p className="muted">{t("compose.emojiNone")}</p>
          ) : (
            <div className="emoji-grid">{found.map(button)}</div>
          )
        ) : (
          emojiGroups.map((g) => (
            <section key={g}>
              <h4>{t(`compose.emojiGroup.${g}`)}</h4>
              <div className="emoji-grid">{emoji.filter((e) => e.group === g).map(button)}</div>
            </section>
          ))
        )}
      </div>
    </div>
  );
}
