import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** The left column of an admin section: its entities and a New button. */
export function EntityList<T extends { id: string; name: string }>({
  items,
  selected,
  onSelect,
  badge,
  testid,
}: {
  items: T[];
  selected: string | null;
  onSelect: (id: string) => void;
  badge?: (it: T) => ReactNode;
  testid: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="entity-list" data-testid={`${testid}-list`}>
      <button type="button" className="entity-new" onClick={() => onSelect("")} data-testid={`${testid}-new`}>
        + {t("console.admin.new")}
      </button>
      {items.map((it) => (
        <button
          type="button"
          key={it.id}
          className={`entity${selected === it.id ? " selected" : ""}`}
          onClick={() => onSelect(it.id)}
          data-testid={`${testid}-item`}
          data-id={it.id}
        >
          <span>{it.name}</span>
          {badge?.(it)}
        </button>
      ))}
    </div>
  );
}
