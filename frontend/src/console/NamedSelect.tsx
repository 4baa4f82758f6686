import type { ReactNode } from "react";
import type { NamedItem } from "../api/console";

/**
 * A choice among named workspace entities (lines, channels, operators),
 * with a first option for none or all: the filters, the bulk bar and the
 * reports all offer one. Names are text.
 */
export function NamedSelect({
  value,
  onChange,
  items,
  empty,
  label,
  testid,
  extra,
}: {
  value: string;
  onChange: (id: string) => void;
  items: NamedItem[] | undefined;
  /** The first option's words (value ""). */
  empty: string;
  label: string;
  testid?: string;
  /** Options after the first, before the items. */
  extra?: ReactNode;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} aria-label={label} data-testid={testid}>
      <option value="">{empty}</option>
      {extra}
      {items?.map((it) => (
        <option key={it.id} value={it.id}>
          {it.name}
        </option>
      ))}
    </select>
  );
}
