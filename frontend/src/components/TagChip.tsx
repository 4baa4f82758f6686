import type { TagView } from "../api/types";

const hex = /^#[0-9a-fA-F]{6}$/;

interface Props {
  tag: TagView;
  /** Shown as a small × when set: a dialog's tags come off, a message's never do. */
  onRemove?: () => void;
  removeLabel?: string;
}

/** A tag as a chip: its name is text, its colour only ever a checked #rrggbb. */
export function TagChip({ tag, onRemove, removeLabel }: Props) {
  const color = hex.test(tag.color) ? tag.color : "#8a94a6";
  return (
    <span className="tag-chip" style={{ borderColor: color }} data-testid="tag-chip" data-tag-id={tag.id}>
      <span className="tag-dot" style={{ background: color }} />
      <span className="tag-name">{tag.name}</span>
      {onRemove && (
        <button type="button" className="tag-remove" onClick={onRemove} aria-label={removeLabel} title={removeLabel} data-testid="tag-remove">
          ×
        </button>
      )}
    </span>
  );
}
